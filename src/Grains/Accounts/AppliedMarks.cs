using System.Globalization;

namespace Cluster.Grains.Accounts;

/// <summary>
/// The bounded sets of what an AccountGrain applied, kept in its state. The stream path needs only the sequence token;
/// these cover the paths without one: POST /v1/screen called again for a version already applied (a retry after a crash
/// between storing the post and the grain call), and a verdict redelivered by the background redelivery. 512 posts and
/// 256 verdicts per account: a repeat arrives within seconds of the original, long before that many newer ones.
/// </summary>
internal static class AppliedMarks
{
    public const int MaxPosts = 512;
    public const int MaxVerdicts = 256;

    public static string Post(string postId, int version) => version.ToString(CultureInfo.InvariantCulture) + ":" + postId;

    public static string[] Add(string[] marks, string mark, int max)
    {
        var keep = Math.Min(marks.Length, max - 1);
        var next = new string[keep + 1];
        Array.Copy(marks, marks.Length - keep, next, 0, keep);
        next[keep] = mark;
        return next;
    }
}
