@NullMarked
package dev.mailroom.relay;

import org.jspecify.annotations.NullMarked;
