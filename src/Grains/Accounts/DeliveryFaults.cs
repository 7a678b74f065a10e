using System.Diagnostics;
using System.Globalization;

namespace Cluster.Grains.Accounts;

/// <summary>
/// TEST ONLY. When the environment variable <c>CLUSTER_TEST_KILL_AFTER_STATE_WRITES</c> is set to n, the process kills
/// itself (SIGKILL) right after the n-th AccountGrain state write of a stream delivery, before that delivery is
/// acknowledged: the crash window between "effects durable" and "event acknowledged" that the process tests exercise.
/// Unset (always, outside those tests) it costs one read of a static field.
/// </summary>
internal static class DeliveryFaults
{
    private static readonly long KillAfter =
        long.TryParse(Environment.GetEnvironmentVariable("CLUSTER_TEST_KILL_AFTER_STATE_WRITES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static long _writes;

    public static void AfterStreamStateWrite()
    {
        if (KillAfter > 0 && Interlocked.Increment(ref _writes) == KillAfter)
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
