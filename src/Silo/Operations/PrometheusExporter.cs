using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Cluster.Silo.Operations;

/// <summary>
/// Renders the cluster's System.Diagnostics.Metrics instruments as Prometheus text (exposition format 0.0.4).
/// Counters and histograms are accumulated as measurements arrive; observable gauges are read at scrape time.
/// Names: "cluster_" + the instrument name with '-' as '_'; counters end in "_total". Orleans' own meter
/// ("Microsoft.Orleans": activations, messaging, grain calls, streams, storage) is exported beside ours under its own
/// names, which already start with "orleans-" (orleans_catalog_activations, orleans_streams_…).
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument, string), Series> _series = new();
    private readonly ConcurrentDictionary<Instrument, TagSets> _tagSets = new();
    private readonly Lock _scrape = new();
    private Dictionary<(Instrument, string), double>? _gauges;

    public PrometheusExporter(ClusterMetrics cluster, Cluster.Ingest.Posts.IngestMetrics ingest)
    {
        Meter[] meters = [cluster.Meter, ingest.Meter];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Contains(instrument.Meter) || instrument.Meter.Name == OrleansMeter)
            {
                listener.EnableMeasurementEvents(instrument, instrument.IsObservable ? null : _tagSets.GetOrAdd(instrument, i => new TagSets(i, this)));
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => Record(i, v, tags, state));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, state) => Record(i, v, tags, state));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => Record(i, v, tags, state));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, state) => Record(i, v, tags, state));
        _listener.Start();
    }

    public const string OrleansMeter = "Microsoft.Orleans";

    public string Scrape()
    {
        lock (_scrape)
        {
            _gauges = [];
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var byInstrument in _series.Select(kv => (kv.Key.Item1, kv.Key.Item2, Value: (object)kv.Value))
                .Concat(_gauges.Select(kv => (kv.Key.Item1, kv.Key.Item2, Value: (object)kv.Value)))
                .GroupBy(s => s.Item1).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var instrument = byInstrument.Key;
                var name = Name(instrument);
                var (type, suffix) = instrument switch
                {
                    Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => ("counter", "_total"),
                    Histogram<int> or Histogram<long> or Histogram<double> => ("summary", ""),
                    _ => ("gauge", ""),
                };
                if (instrument.Description is { } help)
                {
                    text.Append("# HELP ").Append(name).Append(suffix).Append(' ').Append(help).Append('\n');
                }
                text.Append("# TYPE ").Append(name).Append(suffix).Append(' ').Append(type).Append('\n');
                foreach (var (_, labels, value) in byInstrument.OrderBy(s => s.Item2, StringComparer.Ordinal))
                {
                    if (value is Series series)
                    {
                        if (type == "summary")
                        {
                            Line(text, name + "_sum", labels, series.Sum);
                            Line(text, name + "_count", labels, series.Count);
                        }
                        else
                        {
                            Line(text, name + suffix, labels, series.Sum);
                        }
                    }
                    else
                    {
                        Line(text, name + suffix, labels, (double)value);
                    }
                }
            }
            _gauges = null;
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private static string Name(Instrument instrument)
    {
        var name = instrument.Name.Replace('-', '_').Replace('.', '_');
        return instrument.Meter.Name == OrleansMeter ? name : "cluster_" + name;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is TagSets sets)
        {
            // Every measurement of Orleans' messaging and ours passes here: find its series without allocating.
            sets.Find(tags).Add(value);
            return;
        }
        if (instrument.IsObservable)
        {
            // Only called from RecordObservableInstruments, under the scrape lock.
            if (_gauges is not null)
            {
                _gauges[(instrument, Labels(tags))] = value;
            }
        }
    }

    private Series SeriesFor(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _series.GetOrAdd((instrument, Labels(tags)), _ => new Series());

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }
        var parts = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            parts.Add($"{key}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return "{" + string.Join(",", parts) + "}";
    }

    private static void Line(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>
    /// One instrument's series by tag set. A measurement's tags are matched against the sets seen before by hash and
    /// element-wise comparison, so only a new tag set formats its label text.
    /// </summary>
    private sealed class TagSets(Instrument instrument, PrometheusExporter exporter)
    {
        private readonly Lock _lock = new();
        private readonly ConcurrentDictionary<int, (KeyValuePair<string, object?>[] Tags, Series Series)[]> _byHash = new();

        public Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = Hash(tags);
            if (_byHash.TryGetValue(hash, out var candidates))
            {
                foreach (var (known, series) in candidates)
                {
                    if (Same(known, tags))
                    {
                        return series;
                    }
                }
            }
            lock (_lock)
            {
                candidates = _byHash.GetValueOrDefault(hash) ?? [];
                foreach (var (known, series) in candidates)
                {
                    if (Same(known, tags))
                    {
                        return series;
                    }
                }
                var created = exporter.SeriesFor(instrument, tags);
                _byHash[hash] = [.. candidates, (tags.ToArray(), created)];
                return created;
            }
        }

        private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = new HashCode();
            foreach (var (key, value) in tags)
            {
                hash.Add(key, StringComparer.Ordinal);
                hash.Add(value);
            }
            return hash.ToHashCode();
        }

        private static bool Same(KeyValuePair<string, object?>[] known, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (known.Length != tags.Length)
            {
                return false;
            }
            for (var i = 0; i < known.Length; i++)
            {
                if (!string.Equals(known[i].Key, tags[i].Key, StringComparison.Ordinal) || !Equals(known[i].Value, tags[i].Value))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>A sum and a count, added to without a lock (a measurement may come from any thread).</summary>
    private sealed class Series
    {
        private long _sumBits;
        private long _count;

        public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

        public long Count => Interlocked.Read(ref _count);

        public void Add(double value)
        {
            var seen = Interlocked.Read(ref _sumBits);
            while (true)
            {
                var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
                var found = Interlocked.CompareExchange(ref _sumBits, next, seen);
                if (found == seen)
                {
                    break;
                }
                seen = found;
            }
            Interlocked.Increment(ref _count);
        }
    }
}
