namespace Cluster.Benchmarks;

/// <summary>
/// Process CPU time (user + system, every thread of the process: callers, silo, pulling agents, SQLite writer) spent
/// inside the measured invocations, summed over all of them after setup (pilot, warm-up and measured iterations alike).
/// On a machine shared with other load, CPU per operation moves far less than wall-clock time per operation. Printed at
/// global cleanup, so it appears in the benchmark's log.
/// </summary>
internal sealed class OrleansCpuMeter
{
    private TimeSpan _cpu;
    private long _operations;

    public async Task Measure(Func<Task> invocation, int operations)
    {
        var start = Environment.CpuUsage.TotalTime;
        await invocation();
        _cpu += Environment.CpuUsage.TotalTime - start;
        _operations += operations;
    }

    public void Report(string benchmark)
    {
        if (_operations > 0)
        {
            Console.WriteLine($"// CPU per operation [{benchmark}]: {_cpu.TotalMicroseconds / _operations:F2} us " +
                $"({_cpu.TotalSeconds:F2} s of process CPU over {_operations:N0} operations)");
        }
    }
}
