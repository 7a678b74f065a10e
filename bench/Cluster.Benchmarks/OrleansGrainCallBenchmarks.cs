using BenchmarkDotNet.Attributes;

namespace Cluster.Benchmarks;

/// <summary>
/// Grain calls through a real in-process Orleans silo (<see cref="OrleansBenchSilo"/>): the silo's grain factory calls a
/// no-op method on <see cref="Grains"/> distinct grains, all activated beforehand, round robin, with
/// <see cref="InFlight"/> calls outstanding at any time (that many callers, each awaiting its call before the next).
/// The grains are not reentrant, as the product's are not: with one grain its calls queue on the one activation.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class OrleansGrainCallBenchmarks
{
    private const int Calls = 200_000;

    private OrleansBenchSilo _silo = null!;
    private IBenchPingGrain[] _grains = [];
    private readonly OrleansCpuMeter _cpu = new();

    [Params(1, 10_000)]
    public int Grains { get; set; }

    [Params(64, 512)]
    public int InFlight { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _silo = await OrleansBenchSilo.StartAsync();
        var factory = _silo.Grains;
        _grains = Enumerable.Range(0, Grains).Select(i => factory.GetGrain<IBenchPingGrain>(i)).ToArray();
        // Activate every grain before measuring, at most 512 activations at a time.
        foreach (var chunk in _grains.Chunk(512))
        {
            await Task.WhenAll(chunk.Select(g => g.Ping()));
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _cpu.Report($"Call Grains={Grains} InFlight={InFlight}");
        await _silo.DisposeAsync();
    }

    /// <summary>One operation = one grain call answered.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task Call() => _cpu.Measure(() => Task.WhenAll(Enumerable.Range(0, InFlight).Select(Caller)), Calls);

    private async Task Caller(int first)
    {
        for (var i = first; i < Calls; i += InFlight)
        {
            await _grains[i % _grains.Length].Ping();
        }
    }
}
