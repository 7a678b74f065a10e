namespace Cluster.Screening.Lexicon;

/// <summary>
/// Ends of a term that are ASCII letters or digits. A hit there counts only on a word boundary: "bt" must not
/// fire inside "subtitle", nor "sm" inside "small", nor "110" inside "1108". CJK ends need no boundary
/// (Chinese has no spaces); ambiguity there is the allow-list's job.
/// </summary>
[Flags]
internal enum PatternBoundary : byte
{
    Start = 1,
    End = 2,
}
