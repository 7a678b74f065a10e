using Cluster.Screening.Lexicon;
using Cluster.Screening.Matching;

namespace Cluster.Screening.Tests.Lexicon;

public sealed class TermTableTests
{
    [Fact]
    public void Interning_numbers_distinct_terms_in_first_seen_order_and_returns_the_same_id_for_a_repeat()
    {
        var table = new TermTable(expectedTerms: 2, expectedChars: 4);

        Assert.Equal(0, table.Intern("大麻"));
        Assert.Equal(1, table.Intern("赌博"));
        Assert.Equal(0, table.Intern("大麻".AsSpan()));
        Assert.Equal(2, table.Intern("大麻烦"));

        Assert.Equal(3, table.Count);
        Assert.Equal("大麻烦", table[2].ToString());
        Assert.Equal("大麻赌博大麻烦", table.Chars.ToString());
        Assert.Equal([0, 2, 4, 7], table.Offsets.ToArray());
    }

    [Fact]
    public void Growing_far_past_the_expected_size_keeps_every_term_findable()
    {
        // Expected sizes of 1 force the char buffer, the offsets and the index to grow many times.
        var table = new TermTable(expectedTerms: 1, expectedChars: 1);
        var terms = Enumerable.Range(0, 5_000).Select(i => $"t{i}").ToArray();

        var ids = terms.Select(t => table.Intern(t)).ToArray();

        Assert.Equal(Enumerable.Range(0, terms.Length), ids);
        Assert.Equal(ids, terms.Select(t => table.Intern(t)));
        Assert.Equal(ids, terms.Select(t => table.Find(t)));
        Assert.Equal(-1, table.Find("t5000"));
        Assert.Equal(terms.Length, table.Count); // Find adds nothing
        Assert.Equal(terms, Enumerable.Range(0, table.Count).Select(i => table[i].ToString()));
    }

    [Fact]
    public void Large_arrays_come_back_zeroed_even_over_reused_memory()
    {
        // Fill and drop arrays of the same sizes first, so the uninitialized allocations are likely to land on
        // dirty memory; each must still read as zeros, including the tail of its last chunk.
        foreach (var length in new[] { 1, 1000, 70_001, 300_000 })
        {
            var dirty = new long[length];
            Array.Fill(dirty, -1L);
            GC.KeepAlive(dirty);
            dirty = null;
            GC.Collect();

            var array = LargeArray.Zeroed<long>(length);

            Assert.Equal(length, array.Length);
            Assert.True(array.AsSpan().IndexOfAnyExcept(0L) < 0, $"a {length}-element array was not zeroed");
        }
    }

    [Fact]
    public void Native_buffers_come_back_zeroed_and_refuse_use_after_dispose()
    {
        foreach (var length in new[] { 0, 1, 1000, 300_000 })
        {
            // Free a dirty buffer of the same size first, so the next allocation may reuse its memory.
            using (var dirty = new NativeBuffer<long>(length))
            {
                dirty.Span.Fill(-1L);
            }

            var buffer = new NativeBuffer<long>(length);

            Assert.Equal(length, buffer.Length);
            Assert.True(buffer.Span.IndexOfAnyExcept(0L) < 0, $"a {length}-element buffer was not zeroed");
            buffer.Dispose();
            Assert.Equal(0, buffer.Length);
            Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
        }
    }
}
