using Cluster.Screening.Matching;

namespace Cluster.Screening.Tests.Matching;

public sealed class AhoCorasickTests
{
    [Fact]
    public void Reports_every_occurrence_including_overlapping_and_nested_ones()
    {
        var automaton = new AhoCorasick(["he", "she", "his", "hers"]);
        var matches = Run(automaton, "ushers");
        Assert.Equal([(1, 4), (0, 4), (3, 6)], matches); // she and he end at 4, hers at 6
    }

    [Fact]
    public void Agrees_with_naive_search_on_random_patterns_and_texts()
    {
        // A three-letter alphabet forces deep failure chains; a few CJK chars exercise the dense root table.
        const string alphabet = "abc大麻烦";
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var patterns = Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => RandomString(random, alphabet, random.Next(1, 6)))
                .Distinct()
                .ToArray();
            var text = RandomString(random, alphabet, random.Next(0, 200));
            var automaton = new AhoCorasick(patterns);

            var expected = new List<(int, int)>();
            for (var end = 1; end <= text.Length; end++)
            {
                for (var p = 0; p < patterns.Length; p++)
                {
                    var start = end - patterns[p].Length;
                    if (start >= 0 && string.CompareOrdinal(text, start, patterns[p], 0, patterns[p].Length) == 0)
                    {
                        expected.Add((p, end));
                    }
                }
            }
            var actual = Run(automaton, text);
            Assert.Equal(expected.Order(), actual.Order());
        }
    }

    [Fact]
    public void Agrees_with_naive_search_with_a_large_alphabet_and_thousands_of_patterns()
    {
        // Hundreds of distinct chars and thousands of terms: states of every child count compete for slots of
        // the double array, so a misplaced base or a Check that names the wrong parent shows up as a wrong
        // or missing match. Texts also carry chars no term has and chars that only start terms.
        var alphabet = string.Concat(Enumerable.Range(0, 300).Select(i => (char)('\u4E00' + (i * 7))));
        var random = new Random(11);
        for (var round = 0; round < 20; round++)
        {
            var patterns = Enumerable.Range(0, 3000)
                .Select(_ => RandomString(random, alphabet[..random.Next(2, alphabet.Length)], random.Next(1, 5)))
                .Distinct()
                .ToArray();
            var automaton = new AhoCorasick(patterns);
            var text = RandomString(random, alphabet + "xyz。", 2000);

            var byText = patterns.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
            var expected = new List<(int, int)>();
            for (var end = 1; end <= text.Length; end++)
            {
                for (var length = 1; length <= Math.Min(4, end); length++)
                {
                    if (byText.TryGetValue(text.Substring(end - length, length), out var p))
                    {
                        expected.Add((p, end));
                    }
                }
            }
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Order(), Run(automaton, text).Order());
        }
    }

    [Fact]
    public void A_char_that_only_starts_terms_matches_right_after_a_partial_term()
    {
        // 乙 labels no edge below the root, so it skips the failure chain: from inside 甲丙 it must still
        // reach the root's child and report 乙 and 乙丁.
        var automaton = new AhoCorasick(["甲丙戊", "乙", "乙丁"]);
        Assert.Equal([(1, 3), (2, 4)], Run(automaton, "甲丙乙丁"));
        Assert.Equal([(0, 3)], Run(automaton, "甲丙戊"));
    }

    [Fact]
    public void Handles_states_with_many_children()
    {
        // 200 children under one state: their codes spread its children over the double array, and a char
        // outside the lexicon must land on a slot whose Check names another parent.
        var patterns = Enumerable.Range(0, 200).Select(i => "x" + (char)('\u4E00' + i)).ToArray();
        var automaton = new AhoCorasick(patterns);
        var text = string.Concat(patterns);
        Assert.Equal(200, Run(automaton, text).Count);
        Assert.Empty(Run(automaton, "x\u4F00x"));
    }

    [Fact]
    public void Rejects_empty_and_duplicate_patterns()
    {
        Assert.Throws<ArgumentException>(() => new AhoCorasick(["a", ""]));
        Assert.Throws<ArgumentException>(() => new AhoCorasick(["a", "a"]));
    }

    private static List<(int Pattern, int End)> Run(AhoCorasick automaton, string text)
    {
        var sink = new ListSink { Matches = [] };
        automaton.Match(text, ref sink);
        return sink.Matches;
    }

    private static string RandomString(Random random, string alphabet, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]));

    private struct ListSink : IMatchSink
    {
        public List<(int, int)> Matches;

        public readonly void OnMatch(int pattern, int end) => Matches.Add((pattern, end));
    }
}
