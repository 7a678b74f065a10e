using System.Runtime.InteropServices;

using Cluster.Screening.Matching;

namespace Cluster.Screening.Lexicon;

/// <summary>
/// Distinct terms stored back to back in one char buffer, numbered in first-seen order, with an
/// open-addressing index over their contents. Building a 100k-term snapshot through it allocates a handful of
/// large arrays instead of a string per term: the screening threads run on while a reload builds, and every
/// small object the build keeps alive would be copied by each of their gen0 collections (measured: 4–26 ms
/// pauses with a string and a list per term).
/// </summary>
internal sealed class TermTable
{
    private char[] _chars;
    private int _length;
    private int[] _offsets; // term i is _chars[_offsets[i].._offsets[i + 1]]
    private int _count;
    private int[] _slots; // term id + 1, 0 when empty
    private int _mask;

    public TermTable(int expectedTerms, int expectedChars)
    {
        _chars = LargeArray.Zeroed<char>(Math.Max(16, expectedChars));
        _offsets = LargeArray.Zeroed<int>(Math.Max(16, expectedTerms + 1));
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expectedTerms * 2));
        _slots = LargeArray.Zeroed<int>(slots);
        _mask = slots - 1;
    }

    public int Count => _count;

    /// <summary>All term chars back to back; term i spans <see cref="Offsets"/>[i] to [i + 1].</summary>
    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, _length);

    /// <summary><see cref="Count"/> + 1 offsets into <see cref="Chars"/>.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, _count + 1);

    public ReadOnlySpan<char> this[int id] => _chars.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);

    /// <summary>The id of <paramref name="term"/>, or -1 when it is not in the table.</summary>
    public int Find(ReadOnlySpan<char> term)
    {
        var slot = SlotOf(term);
        return _slots[slot] - 1;
    }

    /// <summary>The id of <paramref name="term"/>, added with the next id when it is new.</summary>
    public int Intern(ReadOnlySpan<char> term)
    {
        var slot = SlotOf(term);
        if (_slots[slot] != 0)
        {
            return _slots[slot] - 1;
        }
        var added = _count;
        if (_length + term.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + term.Length));
        }
        if (added + 2 > _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
        }
        term.CopyTo(_chars.AsSpan(_length));
        _length += term.Length;
        _offsets[added + 1] = _length;
        _count = added + 1;
        _slots[slot] = added + 1;
        if (_count * 2 > _slots.Length)
        {
            Rehash();
        }
        return added;
    }

    /// <summary>The slot holding <paramref name="term"/>, or the empty slot where it would go.</summary>
    private int SlotOf(ReadOnlySpan<char> term)
    {
        var slot = (int)Hash(term) & _mask;
        while (_slots[slot] != 0 && !this[_slots[slot] - 1].SequenceEqual(term))
        {
            slot = (slot + 1) & _mask;
        }
        return slot;
    }

    private void Rehash()
    {
        _slots = LargeArray.Zeroed<int>(_slots.Length * 2);
        _mask = _slots.Length - 1;
        for (var id = 0; id < _count; id++)
        {
            var slot = (int)Hash(this[id]) & _mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = id + 1;
        }
    }

    private static uint Hash(ReadOnlySpan<char> term) => (uint)string.GetHashCode(term);
}
