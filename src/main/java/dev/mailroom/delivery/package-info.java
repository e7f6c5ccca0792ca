@NullMarked
package dev.mailroom.delivery;

import org.jspecify.annotations.NullMarked;
