/**
 * The suppression list of each project: addresses never sent to again, after a hard bounce, a
 * complaint, a relay's "no such mailbox", or by hand. Also applies bounces and complaints to the
 * recipients they are about.
 */
@NullMarked
package dev.mailroom.suppression;

import org.jspecify.annotations.NullMarked;
