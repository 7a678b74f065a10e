namespace Cluster.Storage.Streams;

/// <summary>Turns sorted sequences into runs of consecutive ones (acknowledgements are mostly one run per bucket).</summary>
internal static class SeqRanges
{
    /// <summary>Runs of <paramref name="sorted"/>, grouped so that no group covers more than <paramref name="maxRows"/> sequences.</summary>
    public static IEnumerable<List<(long First, long Last)>> Chunk(IReadOnlyList<long> sorted, int maxRows)
    {
        var group = new List<(long, long)>();
        var rows = 0;
        var i = 0;
        while (i < sorted.Count)
        {
            var first = sorted[i];
            var last = first;
            i++;
            while (i < sorted.Count && sorted[i] <= last + 1 && rows + (sorted[i] - first) < maxRows)
            {
                last = sorted[i];
                i++;
            }
            group.Add((first, last));
            rows += (int)(last - first + 1);
            if (rows >= maxRows)
            {
                yield return group;
                group = [];
                rows = 0;
            }
        }
        if (group.Count > 0)
        {
            yield return group;
        }
    }
}
