namespace Cluster.Screening.Normalization;

/// <summary>
/// The normalized form of one text plus, for every normalized char, the UTF-16 range of the original text
/// it came from. Reused per thread: a screening call rents one, fills it and gives it back, so the hot
/// path does not allocate per post once the buffers have grown to the longest text seen.
/// </summary>
internal sealed class NormalizedText
{
    private char[] _chars = new char[256];
    private int[] _starts = new int[256];
    private int[] _ends = new int[256];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    /// <summary>Start (inclusive) in the original text of normalized char <paramref name="index"/>.</summary>
    public int OriginalStart(int index) => _starts[index];

    /// <summary>End (exclusive) in the original text of normalized char <paramref name="index"/>.</summary>
    public int OriginalEnd(int index) => _ends[index];

    public char this[int index] => _chars[index];

    internal void Clear(int expectedLength)
    {
        Length = 0;
        if (_chars.Length < expectedLength)
        {
            Grow(expectedLength);
        }
    }

    /// <summary>
    /// Copies char <paramref name="index"/> of <paramref name="source"/> with its original range. Only for a
    /// target cleared to at least the source's length, which a view of the source never outgrows.
    /// </summary>
    internal void CopyFrom(NormalizedText source, int index)
    {
        var n = Length;
        _chars[n] = source._chars[index];
        _starts[n] = source._starts[index];
        _ends[n] = source._ends[index];
        Length = n + 1;
    }

    /// <summary>As <see cref="CopyFrom"/> for the <paramref name="count"/> chars from <paramref name="index"/>.</summary>
    internal void CopyRange(NormalizedText source, int index, int count)
    {
        var n = Length;
        source._chars.AsSpan(index, count).CopyTo(_chars.AsSpan(n));
        source._starts.AsSpan(index, count).CopyTo(_starts.AsSpan(n));
        source._ends.AsSpan(index, count).CopyTo(_ends.AsSpan(n));
        Length = n + count;
    }

    internal void Append(char c, int originalStart, int originalEnd)
    {
        if (Length == _chars.Length)
        {
            Grow(Length * 2);
        }
        _chars[Length] = c;
        _starts[Length] = originalStart;
        _ends[Length] = originalEnd;
        Length++;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _chars, capacity);
        Array.Resize(ref _starts, capacity);
        Array.Resize(ref _ends, capacity);
    }

    public override string ToString() => new(Chars);
}
