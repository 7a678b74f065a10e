namespace Cluster.Grains.Decisions;

public static class DecisionActions
{
    public const string Allow = "allow";
    public const string Review = "review";
    public const string Block = "block";

    public const string Machine = "machine";
    public const string Human = "human";
}
