using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>What the file drop needs to know about names in its folder: which are regular files it may open, which
/// names are taken, and how to keep a derived name within the file-system limit.</summary>
internal static class FileDropFiles
{
    /// <summary>The longest file name, in UTF-8 bytes, on the file systems a drop folder lives on (NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Fifo = 0x1000;
    private const int Socket = 0xC000;
    private const int Directory = 0x4000;

    /// <summary>Why the name is not a regular file inside the folder that may be opened, or <see langword="null"/> when it is one.</summary>
    public static string? NotRegularReason(string path, string folder)
    {
        FileSystemInfo target = new FileInfo(path);
        if (target.LinkTarget is not null)
        {
            FileSystemInfo? resolved;
            try
            {
                resolved = target.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException)
            {
                return "a link that cannot be resolved (a loop, or too many links)";
            }

            if (resolved is null || !resolved.Exists)
            {
                return "a link whose target does not exist";
            }

            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
            if (!Path.GetFullPath(resolved.FullName).StartsWith(root, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                return "a link leading out of the drop folder";
            }

            target = resolved;
        }

        return FileType(target.FullName) switch
        {
            null or RegularFile => null,
            Fifo => "a FIFO (named pipe)",
            Socket => "a socket",
            Directory => "a directory",
            _ => "a device or another special file",
        };
    }

    /// <summary>Whether a name is used by anything: a file, a folder, a link (even a broken one), a FIFO.</summary>
    public static bool IsTaken(string path) => File.Exists(path) || System.IO.Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// <paramref name="stem"/> + <paramref name="suffix"/>, or, when that is longer than <see cref="MaxNameBytes"/>, the stem
    /// cut short (never inside a character) and marked with a hash of the whole stem, so two long names stay apart.
    /// </summary>
    public static string FitName(string stem, string suffix)
    {
        if (Encoding.UTF8.GetByteCount(stem) + Encoding.UTF8.GetByteCount(suffix) <= MaxNameBytes)
        {
            return stem + suffix;
        }

        var mark = "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stem)), 0, 4);
        var budget = MaxNameBytes - Encoding.UTF8.GetByteCount(suffix) - mark.Length;
        var kept = new StringBuilder();
        var used = 0;
        var enumerator = StringInfo.GetTextElementEnumerator(stem);
        while (enumerator.MoveNext())
        {
            var element = (string)enumerator.Current;
            var bytes = Encoding.UTF8.GetByteCount(element);
            if (used + bytes > budget)
            {
                break;
            }

            kept.Append(element);
            used += bytes;
        }

        return kept + mark + suffix;
    }

    /// <summary>The file type bits of a path (not following a final link), or <see langword="null"/> when they cannot be read here.</summary>
    private static int? FileType(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No FIFOs or device names reachable through a drop folder's listing.
            return null;
        }

        try
        {
            return LStat(path, out var status) == 0 ? status.Mode & TypeMask : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// lstat through the runtime's own native shim (the one <see cref="File"/> uses), whose status layout is the same on
    /// every Unix: flags then mode. The buffer is larger than the structure, so later fields never overrun it.
    /// </summary>
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }
}
