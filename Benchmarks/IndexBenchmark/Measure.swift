import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Timing and process-memory helpers for the benchmark.
enum Measure {
    static let clock = ContinuousClock()

    /// Seconds taken by `body`.
    static func seconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = clock.now
        let result = try body()
        return (result, seconds(clock.now - start))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Resident set size in bytes, from /proc/self/statm (after returning freed heap to the OS).
    static func residentBytes() -> Int {
        trimHeap()
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Returns freed heap pages to the OS (glibc's `malloc_trim`, looked up at run time since
    /// the Glibc module does not export it), so the resident size reflects live memory.
    private static func trimHeap() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// CPU time this thread has used, in seconds (user and system): unlike wall time, it does not
    /// grow while other processes on a busy machine hold the cores.
    /// CPU seconds used by every thread of the process so far.
    static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// p50/p99 of a set of samples.
    struct Percentiles {
        var p50: Double
        var p99: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            p50 = sorted[sorted.count / 2]
            p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
        }
    }

    /// Wall-clock and thread-CPU latency percentiles of `body` over `runs` runs, in microseconds.
    static func latency(runs: Int, _ body: (Int) throws -> Void) rethrows -> (wall: Percentiles, cpu: Percentiles) {
        var wall: [Double] = []
        var cpu: [Double] = []
        wall.reserveCapacity(runs)
        cpu.reserveCapacity(runs)
        for run in 0..<runs {
            let start = clock.now
            let startCPU = threadCPUSeconds()
            try body(run)
            cpu.append((threadCPUSeconds() - startCPU) * 1e6)
            wall.append(seconds(clock.now - start) * 1e6)
        }
        return (Percentiles(wall), Percentiles(cpu))
    }
}
