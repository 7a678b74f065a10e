namespace Cluster.Screening.Lexicon;

/// <summary>
/// One lexicon line. A deny entry contributes <see cref="Weight"/> to <see cref="Category"/> when its term
/// occurs; an allow entry (<see cref="Allow"/>, written <c>!term</c>) suppresses every deny hit that lies
/// inside one of its own occurrences, e.g. <c>!大麻烦</c> keeps 大麻 from firing in 大麻烦.
/// </summary>
public sealed record LexiconEntry(string Term, Category Category, double Weight, bool Allow);
