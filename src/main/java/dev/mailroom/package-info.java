@NullMarked
package dev.mailroom;

import org.jspecify.annotations.NullMarked;
