namespace Cluster.Screening.Classifiers;

/// <summary>
/// One COLD post (thu-coai/COLDataset): its text as published, whether it is offensive, its topic
/// (race, gender or region), and on the test split only the fine-grained label: 0 safe, 1 attacks an
/// individual, 2 attacks a group, 3 safe (anti-bias). Null on train and dev, which do not carry it.
/// </summary>
internal sealed record ColdExample(string Text, bool Offensive, string Topic, int? FineGrained);
