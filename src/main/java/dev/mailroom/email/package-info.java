@NullMarked
package dev.mailroom.email;

import org.jspecify.annotations.NullMarked;
