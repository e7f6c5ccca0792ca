@NullMarked
package dev.mailroom.system;

import org.jspecify.annotations.NullMarked;
