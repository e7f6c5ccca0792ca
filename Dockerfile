# syntax=docker/dockerfile:1

# ---- build: compile the jar and split it into Spring Boot layers -------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
# The cache mount keeps the local Maven repository (and the wrapper's Maven download) between
# builds without baking it into a layer. Formatting is checked by CI, not by the image build.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests -Dspotless.check.skip=true package \
 && cp target/mailroom-*.jar application.jar

# Boot 4 layer extraction: dependencies/, spring-boot-loader/, snapshot-dependencies/ and
# application/ (with --launcher the layers hold an exploded jar started by JarLauncher).
RUN java -Djarmode=tools -jar application.jar extract --layers --launcher --destination extracted

# ---- runtime ------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# A numeric, non-root identity: Kubernetes can only verify runAsNonRoot against a numeric UID.
RUN groupadd --system --gid 10001 mailroom \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mailroom

WORKDIR /app
# Least to most frequently changed, so a code change only replaces the last layer.
# The files stay owned by root: the service can read its code but never modify it.
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./

# The service writes only to /tmp (Tomcat's work directory, JVM perf data), so the root
# filesystem can be mounted read-only with a writable /tmp (emptyDir or tmpfs).
# Heap sized from the container memory limit; an OutOfMemoryError ends the process so the
# orchestrator restarts it instead of leaving a half-working dispatcher behind.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"

USER 10001:10001
# 8080: HTTP API. 8081: actuator (health probes, Prometheus metrics).
EXPOSE 8080 8081
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
