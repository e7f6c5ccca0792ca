@NullMarked
package dev.mailroom.retention;

import org.jspecify.annotations.NullMarked;
