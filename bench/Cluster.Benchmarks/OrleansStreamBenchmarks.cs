using BenchmarkDotNet.Attributes;
using Orleans.Runtime;
using Orleans.Streams;

namespace Cluster.Benchmarks;

/// <summary>
/// Stream delivery through a real in-process Orleans silo (<see cref="OrleansBenchSilo"/>): 10,000 events of
/// <see cref="Streams"/> distinct stream keys are appended with the SQLite provider's queue writer, in appends of
/// 1,000 events issued together (as the ingest group commit appends its stream rows: one writer request per commit,
/// which the combining writer may merge), then Orleans' 128 pulling agents read them and deliver each to the
/// implicit-subscription grain of its key. The operation ends when every event has been delivered (OnNextAsync
/// returned); the acknowledgements (row deletes) of the cache follow in the background and overlap later operations.
/// <see cref="ProduceAndDeliver"/> writes the same events through Orleans' stream producer API instead
/// (<c>IAsyncStream.OnNextAsync</c> from the silo's client, <see cref="Producers"/> calls outstanding): each call is the
/// adapter's QueueMessageBatchAsync, one writer request for one event.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class OrleansStreamBenchmarks
{
    private const int Events = 10_000;
    private const int AppendSize = 1_000;
    private const int Producers = 64;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(2);

    private OrleansBenchSilo _silo = null!;
    private List<(StreamId, object[])>[] _appends = [];
    private IAsyncStream<BenchEvent>[] _streams = [];
    private BenchEvent[] _events = [];
    private readonly OrleansCpuMeter _cpu = new();
    private string _measured = "";

    [Params(1_000, 10_000)]
    public int Streams { get; set; }

    [GlobalSetup(Target = nameof(Deliver))]
    public Task SetupDeliver() => Setup(nameof(Deliver), BenchStreams.Counted);

    [GlobalSetup(Target = nameof(DeliverAndWriteState))]
    public Task SetupDeliverAndWriteState() => Setup(nameof(DeliverAndWriteState), BenchStreams.Written);

    [GlobalSetup(Target = nameof(ProduceAndDeliver))]
    public async Task SetupProduceAndDeliver()
    {
        await Setup(nameof(ProduceAndDeliver), BenchStreams.Counted);
        var provider = _silo.Client.GetStreamProvider(OrleansBenchSilo.Streams);
        _streams = Enumerable.Range(0, Streams)
            .Select(k => provider.GetStream<BenchEvent>(StreamId.Create(BenchStreams.Counted, $"platform/acct{k}")))
            .ToArray();
        _events = Enumerable.Range(0, Events).Select(i => new BenchEvent(i)).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _cpu.Report($"{_measured} Streams={Streams}");
        await _silo.DisposeAsync();
    }

    /// <summary>One operation = one event appended and delivered to a grain that counts it.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public Task Deliver() => _cpu.Measure(Round, Events);

    /// <summary>One operation = one event appended, delivered, and the consumer's grain state written before OnNextAsync returns.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public Task DeliverAndWriteState() => _cpu.Measure(Round, Events);

    /// <summary>One operation = one event produced through the Orleans stream API and delivered to a grain that counts it.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public Task ProduceAndDeliver() => _cpu.Measure(async () =>
    {
        var delivered = _silo.Counter.Expect(Events);
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(Produce));
        await Wait(delivered);
    }, Events);

    private async Task Produce(int first)
    {
        for (var i = first; i < Events; i += Producers)
        {
            await _streams[i % Streams].OnNextAsync(_events[i]);
        }
    }

    private async Task Setup(string measured, string ns)
    {
        _measured = measured;
        _silo = await OrleansBenchSilo.StartAsync();
        _appends = Enumerable.Range(0, Events / AppendSize)
            .Select(b => Enumerable.Range(b * AppendSize, AppendSize)
                .Select(i => (StreamId.Create(ns, $"platform/acct{i % Streams}"), new object[] { new BenchEvent(i) }))
                .ToList())
            .ToArray();
        // One unmeasured round activates every consumer grain (and, for the writers, creates their state rows).
        await Round();
    }

    private async Task Round()
    {
        var delivered = _silo.Counter.Expect(Events);
        var writer = _silo.QueueWriter;
        await Task.WhenAll(_appends.Select(a => writer.AppendAsync(a)));
        await Wait(delivered);
    }

    private async Task Wait(Task delivered)
    {
        try
        {
            await delivered.WaitAsync(RoundTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_silo.Counter.Count} of {Events} events delivered within {RoundTimeout}");
        }
    }
}
