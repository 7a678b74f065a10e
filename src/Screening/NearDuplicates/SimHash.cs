using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cluster.Screening.NearDuplicates;

/// <summary>
/// 64-bit SimHash (Charikar) over overlapping 3-grams of content chars: texts that share most of their
/// 3-grams get fingerprints a small Hamming distance apart, unrelated texts land about 32 bits apart.
/// </summary>
/// <remarks>
/// Character shingles rather than words because Chinese has no spaces to split on. One edited char changes
/// the three shingles that cover it, so the fingerprint drifts more the shorter the text: one changed word in
/// a 229-char claim can move it 5 bits (RumorLibraryTests), past the distance of 3 the index guarantees,
/// which is why claims are also indexed sentence by sentence.
/// </remarks>
internal static class SimHash
{
    private const int ShingleLength = 3;

    public static ulong Compute(ReadOnlySpan<char> text) => ComputeWithSentences(text, [], out _);

    /// <summary>Content chars a sentence needs for its own fingerprint; shorter ones ("转发！") are too common.</summary>
    public const int MinSentenceContent = 20;

    /// <summary>Most sentence fingerprints <see cref="ComputeWithSentences"/> reports.</summary>
    public const int MaxSentences = 32;

    /// <summary>
    /// The whole text's fingerprint plus one per sentence of at least <see cref="MinSentenceContent"/> content
    /// chars, in a single pass. Sentence shingles never span a boundary, so a sentence's fingerprint equals
    /// <see cref="Compute"/> of its slice. Sentences end at 。 ! ? ; : and newlines (a colon ends a lead-in:
    /// "群里有人发：……" quotes what follows).
    /// </summary>
    public static ulong ComputeWithSentences(ReadOnlySpan<char> text, Span<ulong> sentences, out int sentenceCount) =>
        Avx2.IsSupported
            ? ComputeWithSentences<ShuffleExpander>(text, sentences, out sentenceCount)
            : ComputeWithSentences<TableExpander>(text, sentences, out sentenceCount);

    /// <remarks>
    /// Shingles are taken over content chars only (letters, digits, ideographs): punctuation and spacing are
    /// how a copy is most often retouched, and they say nothing about what the text claims.
    ///
    /// Bit i of the fingerprint is set when more than half of the shingle hashes have bit i set (the same as
    /// Charikar's ±1 sum being positive). The 64 per-bit counts are kept as bytes in two 256-bit vectors: a
    /// hash is expanded to 64 bytes of 0 or 1 and added in two instructions, and the bytes spill into int
    /// totals before they can overflow. Each shingle is counted once: into its sentence's counts when it lies
    /// inside a sentence, else (it spans a sentence end) straight into the whole text's; a finished sentence's
    /// counts are then added to the whole text's.
    /// </remarks>
    internal static ulong ComputeWithSentences<TExpander>(ReadOnlySpan<char> text, Span<ulong> sentences, out int sentenceCount)
        where TExpander : struct, IExpander
    {
        var withSentences = !sentences.IsEmpty;
        var sentence = new Counts();
        var whole = new Counts();
        ref var kinds = ref MemoryMarshal.GetArrayDataReference(Kinds);
        uint c0 = 0, c1 = 0, c2 = 0;
        var content = 0;
        var sentenceContent = 0;
        sentenceCount = 0;
        foreach (var c in text)
        {
            var kind = Unsafe.Add(ref kinds, c);
            if (kind == Content)
            {
                c0 = c1;
                c1 = c2;
                c2 = c;
                sentenceContent++;
                if (++content < ShingleLength)
                {
                    continue;
                }
                var expanded = TExpander.Expand(Hash3(c0, c1, c2));
                if (sentenceContent >= ShingleLength)
                {
                    sentence.Add(expanded);
                }
                else
                {
                    whole.Add(expanded);
                }
            }
            else if (kind == SentenceEnd && withSentences)
            {
                EndSentence(ref sentence, ref whole, sentenceContent, sentences, ref sentenceCount);
                sentenceContent = 0;
            }
        }
        if (withSentences)
        {
            EndSentence(ref sentence, ref whole, sentenceContent, sentences, ref sentenceCount);
        }
        else
        {
            whole.Merge(ref sentence);
        }
        if (whole.Shingles == 0)
        {
            return content switch
            {
                0 => 0,
                1 => Hash3(0, 0, c2),
                _ => Hash3(0, c1, c2),
            };
        }
        return whole.Finish();
    }

    private static void EndSentence(ref Counts sentence, ref Counts whole, int sentenceContent, Span<ulong> sentences, ref int sentenceCount)
    {
        if (sentenceContent >= MinSentenceContent && sentenceCount < sentences.Length)
        {
            sentences[sentenceCount++] = sentence.Finish();
        }
        whole.Merge(ref sentence);
    }

    internal static bool IsSentenceEnd(char c) => c is '。' or '!' or '?' or ';' or ':' or '\n';

    private const byte Other = 0;
    private const byte Content = 1;
    private const byte SentenceEnd = 2;

    // Per UTF-16 unit: content (letter or digit), sentence end, or neither; one load instead of a Unicode
    // category lookup per char.
    private static readonly byte[] Kinds = BuildKinds();

    private static byte[] BuildKinds()
    {
        var kinds = new byte[65536];
        for (var c = 0; c < kinds.Length; c++)
        {
            kinds[c] = IsSentenceEnd((char)c) ? SentenceEnd : char.IsLetterOrDigit((char)c) ? Content : Other;
        }
        return kinds;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>
    /// The three UTF-16 units packed into 48 bits, then the SplitMix64 finalizer: a bijection that makes every
    /// one of the 64 output bits an independent-looking coin per shingle, as SimHash needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash3(uint a, uint b, uint c)
    {
        var hash = (((ulong)a << 32) | ((ulong)b << 16) | c) + 0x9E3779B97F4A7C15;
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EB;
        return hash ^ (hash >> 31);
    }

    /// <summary>
    /// Turns a 64-bit hash into 64 bytes, byte i = bit i, as two vectors (bits 0–31, bits 32–63).
    /// </summary>
    internal interface IExpander
    {
        static abstract (Vector256<byte> Low, Vector256<byte> High) Expand(ulong hash);
    }

    /// <summary>AVX2: broadcast, byte shuffle so each byte holds the hash byte its bit lives in, test the bit.</summary>
    internal readonly struct ShuffleExpander : IExpander
    {
        private static readonly Vector256<byte> LowBytes = Vector256.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);

        private static readonly Vector256<byte> HighBytes = Vector256.Create(
            (byte)4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7);

        private static readonly Vector256<byte> BitOfByte = Vector256.Create(0x8040201008040201UL).AsByte();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<byte> Low, Vector256<byte> High) Expand(ulong hash)
        {
            // vpshufb shuffles within each 128-bit half; the broadcast puts all eight hash bytes in both.
            var broadcast = Vector256.Create(hash).AsByte();
            var low = Avx2.Shuffle(broadcast, LowBytes) & BitOfByte;
            var high = Avx2.Shuffle(broadcast, HighBytes) & BitOfByte;
            return (Vector256.Min(low, Vector256<byte>.One), Vector256.Min(high, Vector256<byte>.One));
        }
    }

    /// <summary>Portable: a 256-entry table whose entry b has byte j = bit j of b.</summary>
    internal readonly struct TableExpander : IExpander
    {
        private static readonly ulong[] Table = BuildTable();

        private static ulong[] BuildTable()
        {
            var table = new ulong[256];
            for (var b = 0; b < 256; b++)
            {
                for (var j = 0; j < 8; j++)
                {
                    table[b] |= (ulong)((b >> j) & 1) << (8 * j);
                }
            }
            return table;
        }

        public static (Vector256<byte> Low, Vector256<byte> High) Expand(ulong hash)
        {
            var t = Table;
            return (
                Vector256.Create(t[(byte)hash], t[(byte)(hash >> 8)], t[(byte)(hash >> 16)], t[(byte)(hash >> 24)]).AsByte(),
                Vector256.Create(t[(byte)(hash >> 32)], t[(byte)(hash >> 40)], t[(byte)(hash >> 48)], t[(byte)(hash >> 56)]).AsByte());
        }
    }

    /// <summary>
    /// Per-bit counts of a run of shingles: bytes while they fit (at most 255 adds), spilled into int totals
    /// when they would not. The totals live inline, so a Counts is a stack value and allocates nothing.
    /// </summary>
    private struct Counts
    {
        private Vector256<byte> _low;
        private Vector256<byte> _high;
        private int _pending;
        private bool _spilled;
        private Totals _totals;

        public int Shingles;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add((Vector256<byte> Low, Vector256<byte> High) expanded)
        {
            if (_pending == byte.MaxValue)
            {
                Spill();
            }
            _low += expanded.Low;
            _high += expanded.High;
            _pending++;
            Shingles++;
        }

        /// <summary>Adds <paramref name="other"/>'s counts to these and clears it.</summary>
        public void Merge(ref Counts other)
        {
            if (other.Shingles == 0)
            {
                return;
            }
            if (other._spilled)
            {
                _totals.Add(ref other._totals);
                _spilled = true;
            }
            if (_pending + other._pending > byte.MaxValue)
            {
                Spill();
            }
            _low += other._low;
            _high += other._high;
            _pending += other._pending;
            Shingles += other.Shingles;
            other = default;
        }

        /// <summary>Bit i set when 2·count_i > shingles (ties stay clear, as a zero ±1 sum does).</summary>
        public readonly ulong Finish()
        {
            if (!_spilled)
            {
                // Every count still fits a byte: count > shingles / 2 compared byte-wise, 32 bits at a time.
                var half = Vector256.Create((byte)(Shingles / 2));
                return Vector256.GreaterThan(_low, half).ExtractMostSignificantBits()
                    | ((ulong)Vector256.GreaterThan(_high, half).ExtractMostSignificantBits() << 32);
            }
            var totals = _totals;
            totals.AddBytes(_low, _high);
            return totals.Finish(Shingles);
        }

        private void Spill()
        {
            _totals.AddBytes(_low, _high);
            _spilled = true;
            _low = _high = default;
            _pending = 0;
        }
    }

    /// <summary>64 int counts as eight vectors of eight.</summary>
    [InlineArray(8)]
    private struct Totals
    {
        private Vector256<int> _first;

        public void AddBytes(Vector256<byte> low, Vector256<byte> high)
        {
            var (l0, l1) = Vector256.Widen(low);
            var (h0, h1) = Vector256.Widen(high);
            AddShorts(0, l0);
            AddShorts(2, l1);
            AddShorts(4, h0);
            AddShorts(6, h1);
        }

        public void Add(ref Totals other)
        {
            for (var i = 0; i < 8; i++)
            {
                this[i] += other[i];
            }
        }

        public readonly ulong Finish(int shingles)
        {
            var threshold = Vector256.Create(shingles);
            ulong fingerprint = 0;
            for (var i = 0; i < 8; i++)
            {
                fingerprint |= (ulong)Vector256.GreaterThan(this[i] * 2, threshold).ExtractMostSignificantBits() << (8 * i);
            }
            return fingerprint;
        }

        private void AddShorts(int at, Vector256<ushort> counts)
        {
            var (lower, upper) = Vector256.Widen(counts);
            this[at] += lower.AsInt32();
            this[at + 1] += upper.AsInt32();
        }
    }
}
