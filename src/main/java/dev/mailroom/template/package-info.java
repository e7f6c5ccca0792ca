@NullMarked
package dev.mailroom.template;

import org.jspecify.annotations.NullMarked;
