using System.Runtime.InteropServices;

namespace Cluster.Screening.Normalization;

/// <summary>
/// Character folds that need real Unicode data rather than a hand-typed table: ICU's
/// "Traditional-Simplified" transliterator (繁 → 简) and the UTS #39 confusable skeletons (Cyrillic а → a).
/// ICU ships with every Linux .NET install (the runtime itself depends on it), but .NET exposes neither
/// API, so both are called through the C API of the libicui18n the system has, probed by version the way
/// the runtime probes it. Used only while <see cref="TextNormalizer"/> builds its per-char table, never per post.
/// </summary>
internal static unsafe class IcuFolding
{
    private const int MinVersion = 50;
    private const int MaxVersion = 90;

    private static readonly Lazy<Api?> Loaded = new(Load);

    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Traditional → simplified for one BMP char, or the char itself when ICU has no single-char answer.</summary>
    public static char ToSimplified(char c)
    {
        var api = Loaded.Value;
        if (api is null)
        {
            return c;
        }
        char* buffer = stackalloc char[8];
        buffer[0] = c;
        var length = 1;
        var limit = 1;
        var status = 0;
        api.TransUChars(api.Transliterator, buffer, &length, 8, 0, &limit, &status);
        return status <= 0 && length == 1 ? buffer[0] : c;
    }

    /// <summary>The UTS #39 skeleton of one char when it is a single char, else the char itself.</summary>
    public static char Skeleton(char c)
    {
        var api = Loaded.Value;
        if (api is null || api.Spoof == IntPtr.Zero)
        {
            return c;
        }
        char* output = stackalloc char[8];
        var status = 0;
        var length = api.GetSkeleton(api.Spoof, 0, &c, 1, output, 8, &status);
        return status <= 0 && length == 1 ? output[0] : c;
    }

    /// <summary>
    /// Runs any ICU transliterator over a string ("Simplified-Traditional", "Han-Latin"); null when ICU is
    /// missing. For generating evasion test data and quality runs, not for the hot path.
    /// </summary>
    public static string? Transliterate(string transliteratorId, string text)
    {
        var api = Loaded.Value;
        if (api is null)
        {
            return null;
        }
        var handle = api.Open(transliteratorId);
        if (handle == IntPtr.Zero)
        {
            return null;
        }
        lock (api) // an ICU transliterator must not run on two threads at once
        {
            var capacity = (text.Length * 8) + 16;
            var buffer = new char[capacity];
            text.CopyTo(buffer);
            var length = text.Length;
            var limit = text.Length;
            var status = 0;
            fixed (char* p = buffer)
            {
                api.TransUChars(handle, p, &length, capacity, 0, &limit, &status);
            }
            return status > 0 ? null : new string(buffer, 0, length);
        }
    }

    private static Api? Load()
    {
        for (var version = MaxVersion; version >= MinVersion; version--)
        {
            if (NativeLibrary.TryLoad($"libicui18n.so.{version}", out var library))
            {
                return Bind(library, "_" + version) ?? Bind(library, "");
            }
        }
        return NativeLibrary.TryLoad("libicui18n.so", out var unversioned) ? Bind(unversioned, "") : null;
    }

    private static Api? Bind(IntPtr library, string suffix)
    {
        if (!NativeLibrary.TryGetExport(library, "utrans_openU" + suffix, out var open)
            || !NativeLibrary.TryGetExport(library, "utrans_transUChars" + suffix, out var trans))
        {
            return null;
        }
        var openU = (delegate* unmanaged<char*, int, int, char*, int, void*, int*, IntPtr>)open;
        const string id = "Traditional-Simplified";
        var status = 0;
        IntPtr transliterator;
        fixed (char* idPtr = id)
        {
            transliterator = openU(idPtr, id.Length, 0, null, 0, null, &status);
        }
        if (status > 0 || transliterator == IntPtr.Zero)
        {
            return null;
        }

        var spoof = IntPtr.Zero;
        delegate* unmanaged<IntPtr, uint, char*, int, char*, int, int*, int> getSkeleton = null;
        if (NativeLibrary.TryGetExport(library, "uspoof_open" + suffix, out var spoofOpen)
            && NativeLibrary.TryGetExport(library, "uspoof_getSkeleton" + suffix, out var skeleton))
        {
            var spoofStatus = 0;
            spoof = ((delegate* unmanaged<int*, IntPtr>)spoofOpen)(&spoofStatus);
            getSkeleton = (delegate* unmanaged<IntPtr, uint, char*, int, char*, int, int*, int>)skeleton;
            if (spoofStatus > 0)
            {
                spoof = IntPtr.Zero;
            }
        }
        // The handles live for the process: the table is built once and ICU objects are small.
        return new Api(transliterator, (delegate* unmanaged<IntPtr, char*, int*, int, int, int*, int*, void>)trans, spoof, getSkeleton, openU);
    }

    private sealed class Api(
        IntPtr transliterator,
        delegate* unmanaged<IntPtr, char*, int*, int, int, int*, int*, void> transUChars,
        IntPtr spoof,
        delegate* unmanaged<IntPtr, uint, char*, int, char*, int, int*, int> getSkeleton,
        delegate* unmanaged<char*, int, int, char*, int, void*, int*, IntPtr> openU)
    {
        private readonly Dictionary<string, IntPtr> _opened = [];

        /// <summary>Opens a transliterator once per id; handles live for the process.</summary>
        public IntPtr Open(string id)
        {
            lock (_opened)
            {
                if (!_opened.TryGetValue(id, out var handle))
                {
                    var status = 0;
                    fixed (char* idPtr = id)
                    {
                        handle = openU(idPtr, id.Length, 0, null, 0, null, &status);
                    }
                    _opened[id] = handle = status > 0 ? IntPtr.Zero : handle;
                }
                return handle;
            }
        }

        public IntPtr Transliterator { get; } = transliterator;

        public IntPtr Spoof { get; } = spoof;

        public void TransUChars(IntPtr t, char* text, int* length, int capacity, int start, int* limit, int* status) =>
            transUChars(t, text, length, capacity, start, limit, status);

        public int GetSkeleton(IntPtr s, uint type, char* id, int length, char* dest, int capacity, int* status) =>
            getSkeleton(s, type, id, length, dest, capacity, status);
    }
}
