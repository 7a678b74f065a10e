using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Cluster.Screening;
using Cluster.Screening.Detectors;
using Cluster.Screening.Normalization;

namespace Cluster.Benchmarks;

/// <summary>
/// The number detectors (ID number, mobile, bank card) over normalized CLUE documents, against a compiled
/// <see cref="Regex"/> of the same patterns with the same checks (check digit, Luhn) applied to its matches.
/// One operation = one document.
/// </summary>
[MemoryDiagnoser]
public partial class DetectorBenchmarks
{
    private NormalizedText[] _normalized = [];
    private string[] _texts = [];
    private readonly List<Finding> _findings = [];

    [GlobalSetup]
    public void Setup()
    {
        _texts = BenchCorpus.Normalized();
        _normalized = BenchCorpus.Documents.Select(d => { var n = new NormalizedText(); TextNormalizer.Normalize(d, n); return n; }).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2_500)]
    public int CompiledRegex()
    {
        var found = 0;
        foreach (var text in _texts)
        {
            foreach (Match m in Numbers().Matches(text))
            {
                var digits = m.Value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
                found += IdNumber.IsValid(digits) || MobileNumber.LocalOffset(digits) >= 0 || BankCard.IsValid(digits) ? 1 : 0;
            }
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = 2_500)]
    public int NumberDetectorScan()
    {
        var found = 0;
        foreach (var text in _normalized)
        {
            _findings.Clear();
            NumberDetector.Scan(text, _findings);
            found += _findings.Count;
        }
        return found;
    }

    // ID numbers (17 digits + digit/X), mobiles with optional +86 and separators, 16–19-digit cards.
    [GeneratedRegex(@"(?<![0-9])(?:[0-9]{17}[0-9x]|(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}|[3-6][0-9]{15,18})(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Numbers();
}
