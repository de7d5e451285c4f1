package com.example.usersinfo.environment.cluster;

/**
 * The workload of {@link ClusterSmokeIT}: burns a steady amount of CPU (the first argument, in millicores;
 * 50 by default) so that metrics-server and the HorizontalPodAutoscaler have a non-zero usage to report.
 * Only {@code java.base}: it runs on the service's JRE base image, copied in as this compiled class.
 */
public final class CpuBurner {
    private static final long WINDOW_NANOS = 100_000_000L;

    private CpuBurner() {
    }

    public static void main(String[] args) throws InterruptedException {
        long millicores = args.length > 0 ? Long.parseLong(args[0]) : 50;
        long busyNanos = WINDOW_NANOS * millicores / 1000;
        System.out.printf("burning %d millicores%n", millicores);
        long sink = 0;
        while (true) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < busyNanos) {
                sink += start % 7;
            }
            long rest = WINDOW_NANOS - (System.nanoTime() - start);
            if (rest > 0) {
                Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
            }
            if (sink == Long.MIN_VALUE) {
                System.out.println(sink);
            }
        }
    }
}
