using Cluster.Screening.Normalization;

namespace Cluster.Screening.Tests.Normalization;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("ＡＢＣ１２３", "abc123")]          // full-width to ASCII, folded
    [InlineData("HeLLo", "hello")]
    [InlineData("①②③", "123")]                  // circled digits
    [InlineData("测\u200B试\u200D词\uFEFF", "测试词")] // zero-width space, joiner, BOM
    [InlineData("测 试\u3000词", "测试词")]         // whitespace between CJK chars carries nothing
    [InlineData("hello   world", "hello world")]   // but separates Latin words, collapsed
    [InlineData("  leading and trailing  ", "leading and trailing")]
    [InlineData("微信 abc", "微信 abc")]            // CJK next to Latin keeps the boundary
    [InlineData("ﬁne", "fine")]                    // ligature expands
    [InlineData("𝐇𝐞𝐥𝐥𝐨", "hello")]                 // mathematical bold, outside the BMP
    [InlineData("a\uFE0Fb\u034Fc", "abc")]          // variation selector, combining grapheme joiner
    public void Normalizes(string input, string expected)
    {
        Assert.Equal(expected, TextNormalizer.Normalize(input));
    }

    [Fact]
    public void Every_normalized_char_maps_back_to_the_original_range_it_came_from()
    {
        var input = "Ａ测\u200B试 𝐁 x";
        var normalized = new NormalizedText();
        TextNormalizer.Normalize(input, normalized);

        Assert.Equal("a测试 b x", normalized.ToString());
        var ranges = Enumerable.Range(0, normalized.Length)
            .Select(i => input[normalized.OriginalStart(i)..normalized.OriginalEnd(i)])
            .ToArray();
        Assert.Equal(["Ａ", "测", "试", " ", "𝐁", " ", "x"], ranges);
    }

    [Fact]
    public void Offsets_are_monotonic_and_inside_the_original_for_random_text()
    {
        // Random mixes of CJK, ASCII, full-width, whitespace, zero-width and surrogate pairs.
        string[] alphabet = ["测", "试", "a", "Z", "Ａ", "９", " ", "\u3000", "\u200B", "\uFEFF", "𝐀", "①", "ﬁ", "\uD800", "。", "\n"];
        var random = new Random(20261122);
        var normalized = new NormalizedText();
        for (var round = 0; round < 2_000; round++)
        {
            var input = string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            TextNormalizer.Normalize(input, normalized);
            var previousEnd = 0;
            for (var i = 0; i < normalized.Length; i++)
            {
                var start = normalized.OriginalStart(i);
                var end = normalized.OriginalEnd(i);
                Assert.InRange(start, 0, input.Length - 1);
                Assert.InRange(end, start + 1, input.Length);
                // Expansions (ﬁ → f, i) share a range; otherwise ranges advance.
                Assert.True(start >= previousEnd || (i > 0 && start == normalized.OriginalStart(i - 1)), $"round {round}: {input}");
                previousEnd = end;
            }
            Assert.False(normalized.Chars.Contains('\u200B'));
            Assert.False(normalized.Length > 0 && normalized[0] == ' ');
        }
    }
}
