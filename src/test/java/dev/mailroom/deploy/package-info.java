/** Tests of the deployment artifacts: container image, docker compose stack and Helm chart. */
@NullMarked
package dev.mailroom.deploy;

import org.jspecify.annotations.NullMarked;
