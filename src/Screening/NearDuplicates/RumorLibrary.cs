namespace Cluster.Screening.NearDuplicates;

/// <summary>
/// Known rumors indexed by the SimHash of their normalized claim and of each of its sentences, so a post that
/// repeats one with light edits, or quotes one of its sentences, is recognised in a few bucket reads.
/// Immutable: a reload builds a new library and swaps it in.
/// </summary>
/// <remarks>
/// A 64-bit SimHash only separates texts that have enough 3-grams: the shorter the text, the further one edit
/// moves its fingerprint and the more easily it collides with unrelated text. Texts under
/// <see cref="MinLength"/> chars therefore never match, and claims that short are kept in
/// <see cref="Count"/> but not indexed.
/// </remarks>
public sealed class RumorLibrary
{
    /// <summary>The largest Hamming distance between fingerprints still reported as a match.</summary>
    public const int MaxDistance = 3;

    /// <summary>Normalized texts shorter than this (in UTF-16 chars) never match.</summary>
    public const int MinLength = 8;

    private readonly Rumor[] _rumors;

    // Null when nothing is indexed, so that Empty does not carry the index's fixed 2 MiB of bucket tables.
    private readonly SimHashIndex? _index;

    private RumorLibrary(Rumor[] rumors, SimHashIndex? index)
    {
        _rumors = rumors;
        _index = index;
    }

    public static RumorLibrary Empty { get; } = new([], null);

    /// <summary>How many rumors the library was built from, including any too short to be indexed.</summary>
    public int Count => _rumors.Length;

    /// <summary>
    /// Builds a library. <paramref name="normalize"/> must be the normalizer that produces the text later
    /// passed to <see cref="Match"/>, so that a claim and a post repeating it hash the same 3-grams. When
    /// two claims are equally near a post, the one listed first wins.
    /// </summary>
    public static RumorLibrary Build(IEnumerable<Rumor> rumors, Func<string, string> normalize)
    {
        ArgumentNullException.ThrowIfNull(rumors);
        ArgumentNullException.ThrowIfNull(normalize);
        var all = rumors.ToArray();
        SimHashIndex? index = null;
        Span<ulong> sentences = stackalloc ulong[SimHash.MaxSentences];
        for (var i = 0; i < all.Length; i++)
        {
            var rumor = all[i] ?? throw new ArgumentException($"Rumor {i} is null.", nameof(rumors));
            var claim = normalize(rumor.Claim);
            if (claim.Length < MinLength)
            {
                continue;
            }
            index ??= new SimHashIndex();
            index.Add(SimHash.ComputeWithSentences(claim, sentences, out var count), i);
            foreach (var sentence in sentences[..count])
            {
                index.Add(sentence, i);
            }
        }
        return new RumorLibrary(all, index);
    }


    /// <summary>
    /// Returns the rumor whose claim is nearest to <paramref name="normalizedText"/> within
    /// <see cref="MaxDistance"/> bits, or null. <paramref name="distance"/> is the Hamming distance of the
    /// match, and -1 when there is none.
    /// </summary>
    public Rumor? Match(ReadOnlySpan<char> normalizedText, out int distance)
    {
        Span<ulong> sentences = stackalloc ulong[SimHash.MaxSentences];
        var whole = SimHash.ComputeWithSentences(normalizedText, sentences, out var count);
        return Match(normalizedText.Length, whole, sentences[..count], out distance);
    }

    /// <summary>
    /// As <see cref="Match(ReadOnlySpan{char}, out int)"/> for fingerprints already computed by
    /// <see cref="SimHash.ComputeWithSentences"/>: the whole text first, then each of its sentences, so an edit
    /// inside one sentence of a long claim, or a post quoting one sentence amid other text, still meets it.
    /// </summary>
    internal Rumor? Match(int normalizedLength, ulong fingerprint, ReadOnlySpan<ulong> sentences, out int distance)
    {
        if (_index is not null && normalizedLength >= MinLength)
        {
            if (_index.TryFindNearest(fingerprint, MaxDistance, out var id, out distance))
            {
                return _rumors[id];
            }
            foreach (var sentence in sentences)
            {
                if (sentence != fingerprint && _index.TryFindNearest(sentence, MaxDistance, out id, out distance))
                {
                    return _rumors[id];
                }
            }
        }
        distance = -1;
        return null;
    }
}
