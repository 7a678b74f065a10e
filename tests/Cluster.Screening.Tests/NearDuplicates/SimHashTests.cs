using Cluster.Screening.NearDuplicates;
using Cluster.Testing;

namespace Cluster.Screening.Tests.NearDuplicates;

public sealed class SimHashTests
{
    private const int ParagraphLength = 200;

    // CLUE lines long enough to cut a 200-char paragraph from; 396 of the 2,500 sampled lines.
    private static readonly Lazy<string[]> Paragraphs = new(() =>
        File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt"))
            .Where(l => l.Length >= 2 * ParagraphLength)
            .Select(l => l[..ParagraphLength])
            .ToArray());

    [Fact]
    public void Empty_text_has_fingerprint_zero()
    {
        Assert.Equal(0UL, SimHash.Compute(""));
    }

    [Fact]
    public void Texts_shorter_than_a_shingle_hash_as_one_shingle()
    {
        Assert.NotEqual(0UL, SimHash.Compute("谣"));
        Assert.Equal(SimHash.Compute("谣言"), SimHash.Compute("谣言".AsSpan()));
        Assert.NotEqual(SimHash.Compute("谣言"), SimHash.Compute("言谣"));
    }

    [Fact]
    public void Equal_texts_have_equal_fingerprints_wherever_the_span_comes_from()
    {
        const string text = "今天下午三点，市中心广场将举行免费发放鸡蛋的活动。";
        var framed = "前缀" + text + "后缀";
        Assert.Equal(0, SimHash.Distance(SimHash.Compute(text), SimHash.Compute(framed.AsSpan(2, text.Length))));
    }

    [Fact]
    public void Distance_counts_differing_bits()
    {
        Assert.Equal(0, SimHash.Distance(0xF0F0UL, 0xF0F0UL));
        Assert.Equal(64, SimHash.Distance(0UL, ulong.MaxValue));
        Assert.Equal(3, SimHash.Distance(0b1011UL, 0b0110UL));
    }

    [Fact]
    public void One_edit_in_a_200_char_paragraph_moves_the_fingerprint_a_few_bits()
    {
        // SimHash is a sketch, not a guarantee: on this corpus one random substitution flips 3.3 bits on
        // average and 0-3 bits in about 59% of paragraphs (see the remarks on SimHash).
        var random = new Random(1);
        var distances = Paragraphs.Value.Select(p => SimHash.Distance(SimHash.Compute(p), SimHash.Compute(Edit(p, 1, random)))).ToArray();

        Assert.True(distances.Length > 300, $"{distances.Length} paragraphs");
        Assert.InRange(distances.Average(), 2.5, 4.0);
        Assert.InRange(distances.Count(d => d <= 3) / (double)distances.Length, 0.5, 0.7);
        Assert.InRange(distances.Max(), 5, 12);
    }

    [Fact]
    public void Edited_paragraphs_stay_far_closer_than_unrelated_ones()
    {
        var random = new Random(2);
        var paragraphs = Paragraphs.Value;
        var edited = paragraphs.Select(p => SimHash.Distance(SimHash.Compute(p), SimHash.Compute(Edit(p, 3, random)))).ToArray();
        var unrelated = paragraphs.Zip(paragraphs.Skip(1), (a, b) => SimHash.Distance(SimHash.Compute(a), SimHash.Compute(b))).ToArray();

        Assert.True(edited.Max() <= 16, $"three edits moved a fingerprint by {edited.Max()} bits");
        Assert.True(unrelated.Min() > 16, $"two unrelated paragraphs were {unrelated.Min()} bits apart");
        Assert.InRange(unrelated.Average(), 28.0, 36.0);
    }

    [Fact]
    public void Compute_allocates_nothing()
    {
        var paragraph = Paragraphs.Value[0];
        SimHash.Compute(paragraph);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var fingerprint = SimHash.Compute(paragraph);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0UL, fingerprint);
    }

    /// <summary>Replaces <paramref name="edits"/> distinct positions with a different CJK char.</summary>
    private static string Edit(string text, int edits, Random random)
    {
        var chars = text.ToCharArray();
        foreach (var position in Enumerable.Range(0, chars.Length).OrderBy(_ => random.Next()).Take(edits))
        {
            char replacement;
            do
            {
                replacement = (char)random.Next(0x4E00, 0x9FA6);
            }
            while (replacement == chars[position]);
            chars[position] = replacement;
        }
        return new string(chars);
    }

    [Fact]
    public void The_single_pass_with_sentences_equals_computing_the_whole_and_each_sentence_slice()
    {
        var docs = File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt")).Take(300)
            .Select(Cluster.Screening.Normalization.MatchView.Build);
        Span<ulong> sentences = stackalloc ulong[SimHash.MaxSentences];
        foreach (var doc in docs)
        {
            var whole = SimHash.ComputeWithSentences(doc, sentences, out var count);

            Assert.Equal(SimHash.Compute(doc), whole);
            var expected = new List<ulong>();
            var start = 0;
            for (var i = 0; i <= doc.Length; i++)
            {
                if (i == doc.Length || SimHash.IsSentenceEnd(doc[i]))
                {
                    var slice = doc.AsSpan(start, i - start);
                    var content = 0;
                    foreach (var c in slice)
                    {
                        content += char.IsLetterOrDigit(c) ? 1 : 0;
                    }
                    if (content >= SimHash.MinSentenceContent && expected.Count < SimHash.MaxSentences)
                    {
                        expected.Add(SimHash.Compute(slice));
                    }
                    start = i + 1;
                }
            }
            Assert.Equal(expected, sentences[..count].ToArray());
        }
    }

    [Fact]
    public void Vector_counting_equals_charikars_plus_minus_one_sums_with_both_expanders()
    {
        // Lengths from a few chars to thousands of shingles, so the byte counts spill into int totals
        // (every 255 shingles) as well as finishing from bytes; sentence splits exercise the merging.
        var lines = File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt"));
        // One sentence of thousands of chars (sentence ends taken out), then more sentences: the sentence's own
        // counts spill too before they merge into the whole's.
        var longSentence = new string(string.Concat(lines.Take(20)).Where(c => !SimHash.IsSentenceEnd(c)).ToArray());
        var docs = lines.Take(200).Append(string.Concat(lines.Take(40))).Append(longSentence + "。" + string.Concat(lines.Skip(20).Take(5)))
            .Append("a。b。c").Append("谣言");
        Span<ulong> table = stackalloc ulong[SimHash.MaxSentences];
        Span<ulong> shuffle = stackalloc ulong[SimHash.MaxSentences];
        foreach (var doc in docs)
        {
            var expected = Reference(doc);
            Assert.Equal(expected, SimHash.ComputeWithSentences<SimHash.TableExpander>(doc, [], out _));
            Assert.Equal(expected, SimHash.ComputeWithSentences<SimHash.TableExpander>(doc, table, out var tableCount));
            Assert.Equal(ReferenceSentences(doc), table[..tableCount].ToArray());
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            {
                Assert.Equal(expected, SimHash.ComputeWithSentences<SimHash.ShuffleExpander>(doc, shuffle, out var shuffleCount));
                Assert.Equal(table[..tableCount].ToArray(), shuffle[..shuffleCount].ToArray());
            }
        }
    }

    /// <summary>The reference fingerprint of each sentence with enough content, up to the cap.</summary>
    private static ulong[] ReferenceSentences(string text)
    {
        var fingerprints = new List<ulong>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || SimHash.IsSentenceEnd(text[i]))
            {
                var slice = text[start..i];
                if (slice.Count(char.IsLetterOrDigit) >= SimHash.MinSentenceContent && fingerprints.Count < SimHash.MaxSentences)
                {
                    fingerprints.Add(Reference(slice));
                }
                start = i + 1;
            }
        }
        return [.. fingerprints];
    }

    /// <summary>SimHash the slow way: a ±1 sum per bit over every content 3-gram's hash.</summary>
    private static ulong Reference(string text)
    {
        var content = text.Where(char.IsLetterOrDigit).Select(c => (uint)c).ToArray();
        if (content.Length < 3)
        {
            return content.Length switch
            {
                0 => 0,
                1 => SimHash.Hash3(0, 0, content[0]),
                _ => SimHash.Hash3(0, content[0], content[1]),
            };
        }
        var sums = new int[64];
        for (var i = 2; i < content.Length; i++)
        {
            var hash = SimHash.Hash3(content[i - 2], content[i - 1], content[i]);
            for (var bit = 0; bit < 64; bit++)
            {
                sums[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
            }
        }
        var fingerprint = 0UL;
        for (var bit = 0; bit < 64; bit++)
        {
            fingerprint |= sums[bit] > 0 ? 1UL << bit : 0;
        }
        return fingerprint;
    }
}
