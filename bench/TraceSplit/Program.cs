using System.Globalization;
using Cluster.TraceSplit;
using Microsoft.Diagnostics.Tracing.Etlx;

// Splits a silo's CPU by pipeline stage from a dotnet-trace recording of its thread stacks:
//   dotnet-trace collect -p <silo pid> --profile dotnet-sampled-thread-time --duration 00:00:00:10 -o silo.nettrace
//   dotnet run -c Release --project bench/TraceSplit -- silo.nettrace [--cpu-seconds S --posts N]
// With the silo's CPU-seconds and the posts it handled over the same window, it also prints CPU per 1,000 posts.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: TraceSplit <trace.nettrace> [--cpu-seconds S --posts N]");
    return 2;
}
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var split = StageSplit.Of(log);
double? cpuMsPerThousand = options.TryGetValue("cpu-seconds", out var cpu) && options.TryGetValue("posts", out var posts)
    ? double.Parse(cpu, CultureInfo.InvariantCulture) * 1000 / (double.Parse(posts, CultureInfo.InvariantCulture) / 1000)
    : null;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{split.Samples} stack samples, {split.OnCpu} on CPU (managed code, or in SQLite or I/O), {split.Samples - split.OnCpu} waiting"));
Console.WriteLine(cpuMsPerThousand is null ? "stage                               share" : "stage                               share   CPU-ms per 1,000 posts");
foreach (var (stage, count) in split.ByStage.OrderByDescending(kv => kv.Value))
{
    var share = (double)count / split.OnCpu;
    Console.WriteLine(cpuMsPerThousand is { } total
        ? string.Create(CultureInfo.InvariantCulture, $"{stage,-34} {share,6:P1}   {share * total,8:F1}")
        : string.Create(CultureInfo.InvariantCulture, $"{stage,-34} {share,6:P1}"));
}
return 0;
