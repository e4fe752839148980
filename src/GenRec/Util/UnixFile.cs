using System.Runtime.InteropServices;

namespace GenRec.Util;

/// <summary>
/// What kind of file a path names, without opening it (opening a FIFO blocks until a writer comes):
/// Linux <c>statx(2)</c>, whose struct layout is the same on every architecture; elsewhere .NET's file
/// attributes (directories told apart, devices and FIFOs not).
/// </summary>
internal static class UnixFile
{
    public enum Kind
    {
        Missing,
        Regular,
        Directory,
        Other,
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;
    private const int DirectoryBits = 0x4000;

    /// <summary>The kind of file at <paramref name="path"/> (symbolic links followed) and its size in bytes.</summary>
    public static (Kind Kind, long Size) Stat(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            try
            {
                if (StatX(AtFdCwd, path, 0, StatxType | StatxSize, buffer) != 0)
                {
                    return (Kind.Missing, 0);
                }

                var mode = BitConverter.ToUInt16(buffer, 28) & TypeMask;         // stx_mode at offset 28
                var size = BitConverter.ToInt64(buffer, 40);                       // stx_size at offset 40
                return (mode == Regular ? Kind.Regular : mode == DirectoryBits ? Kind.Directory : Kind.Other, size);
            }
            catch (EntryPointNotFoundException)
            {
            }
        }

        if (Directory.Exists(path))
        {
            return (Kind.Directory, 0);
        }

        var info = new FileInfo(path);
        return info.Exists ? (Kind.Regular, info.Length) : (Kind.Missing, 0);
    }

    /// <summary>The path with every symbolic link resolved (realpath(3)); null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Marshal.FreeHGlobal(resolved); // realpath's result comes from malloc; FreeHGlobal is free() on Unix
        }
    }

    [DllImport("libc", EntryPoint = "statx")]
    private static extern int StatX(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "realpath")]
    private static extern IntPtr RealPathNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    /// <summary>
    /// Refuses (<see cref="IOException"/> naming <paramref name="what"/> and the path) anything but a regular file of at most
    /// <paramref name="maxBytes"/>, before it is opened: a FIFO would block the reader until a writer came, a device could
    /// stream without end.
    /// </summary>
    public static void RequireRegular(string path, string what, long maxBytes = long.MaxValue)
    {
        var (kind, size) = Stat(path);
        if (kind is Kind.Other or Kind.Directory)
        {
            throw new IOException($"{what} {path} is not a regular file ({(kind == Kind.Directory ? "a directory" : "a FIFO, socket or device")}); it was not opened");
        }

        if (size > maxBytes)
        {
            throw new IOException($"{what} {path} is {size:N0} bytes, over the {maxBytes:N0} accepted");
        }
    }
}
