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
# Heap sized from the container memory limit, leaving room for what is not heap (metaspace, code
# cache, thread stacks, the JIT's memory: about 230 MB under load), so the whole process fits. The
# collector is named rather than left to ergonomics, which picks Serial below 2 CPUs or ~1.8 GB and
# G1 above: Serial with a live set of a few tens of MB keeps the heap, and so the RSS, near what is
# in use (G1 grows it towards the maximum and takes ~50 MB of its own). Caps on metaspace and code
# cache make a leak an error instead of a slow climb to the limit. An OutOfMemoryError ends the
# process so the orchestrator restarts it instead of leaving a half-working dispatcher behind.
# Two malloc arenas instead of 8 per core: less native memory held by the JVM's own threads.
# Freed native memory (the JIT's arenas above all) goes back to the system every 5 s, and the heap
# keeps at most 40% free after a collection. Only the C2 compiler compiles (no tiers), on one thread:
# on the two cores a pod shares, C1's profiled code (about half the code cache) and a second round
# of compiling every hot method cost more memory and warm-up CPU than they save, and a second
# compiler thread's arenas raise the peak by about 18 MB (README, Memory). The young generation
# is fixed at 16 MB: left to the default (a third of the heap) it grew to about 35 MB, all of it
# resident, and the peak under load was about 15 MB higher with no pace to show for it (README,
# Memory). Raise it with the heap if a pod is given much more memory. Its survivor spaces are a
# fifth of it each (SurvivorRatio=3, not 8) and may fill to 90% before objects are promoted early:
# a batch's emails outlive several young collections, and with survivors of 1.6 MB they went to
# the old generation, which then filled and was collected in full (about 130 ms each) once a
# second under batch intake (README, Memory).
ENV JAVA_TOOL_OPTIONS="-XX:-TieredCompilation -XX:CICompilerCount=1 -XX:+UseSerialGC -Xmn16m -XX:SurvivorRatio=3 -XX:TargetSurvivorRatio=90 -XX:MaxRAMPercentage=60 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:MaxMetaspaceSize=192m -XX:ReservedCodeCacheSize=128m -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
ENV MALLOC_ARENA_MAX=2

USER 10001:10001
# 8080: HTTP API. 8081: actuator (health probes, Prometheus metrics).
EXPOSE 8080 8081
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
