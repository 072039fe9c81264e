using System.Globalization;
using Npgsql;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// The processor time of a PostgreSQL server running on this machine, read from <c>/proc</c> (utime + stime): its
/// postmaster and every process it started, split into the backends serving one application name (the run's nodes), the
/// other clients' backends, the rest of the live processes (WAL writer, checkpointer, background writer, autovacuum
/// launcher, the postmaster), and the processes that exited meanwhile (the postmaster's children's time: any client's
/// closed connections, autovacuum workers), which cannot be told apart. Unavailable when the server's processes are not
/// visible here.
/// </summary>
internal sealed class ServerCpu
{
    private readonly Dictionary<int, (string Kind, long Ticks)> _processes;

    private ServerCpu(Dictionary<int, (string Kind, long Ticks)> processes)
    {
        _processes = processes;
    }

    public const string Ours = "ours";
    public const string OtherClients = "other clients";
    public const string Background = "background";
    public const string Exited = "exited";

    /// <summary>Clock ticks per second of <c>/proc/[pid]/stat</c> (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Reads the server's processes now, or returns <see langword="null"/> when they cannot be read.</summary>
    public static async Task<ServerCpu?> TakeAsync(NpgsqlConnection connection, string applicationName, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var ownPid = 0;
        var clients = new Dictionary<int, string>();
        await using (var command = new NpgsqlCommand("SELECT pid, COALESCE(application_name, ''), COALESCE(backend_type, ''), pid = pg_backend_pid() FROM pg_stat_activity", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var pid = reader.GetInt32(0);
                if (reader.GetBoolean(3))
                {
                    ownPid = pid;
                }
                else if (reader.GetString(2) == "client backend")
                {
                    clients[pid] = reader.GetString(1) == applicationName ? Ours : OtherClients;
                }
            }
        }

        if (ownPid == 0 || ParentOf(ownPid) is not { } postmaster || Ticks(postmaster, withChildren: false) is not { } postmasterTicks
            || Ticks(postmaster, withChildren: true) is not { } withChildren)
        {
            return null;
        }

        // The exited children's time under a key no process has.
        var processes = new Dictionary<int, (string Kind, long Ticks)> { [postmaster] = (Background, postmasterTicks), [-1] = (Exited, withChildren - postmasterTicks) };
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == ownPid || ParentOf(pid) != postmaster)
            {
                continue;
            }

            if (Ticks(pid, withChildren: false) is { } ticks)
            {
                processes[pid] = (clients.GetValueOrDefault(pid, Background), ticks);
            }
        }

        return new ServerCpu(processes);
    }

    /// <summary>Processor time used since <paramref name="before"/>, by kind of process.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Since(ServerCpu before)
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { [Ours] = TimeSpan.Zero, [OtherClients] = TimeSpan.Zero, [Background] = TimeSpan.Zero, [Exited] = TimeSpan.Zero };
        foreach (var (pid, (kind, ticks)) in _processes)
        {
            // A process started during the run counts whole; one that exited is in the postmaster's children's time (Exited).
            var earlier = before._processes.TryGetValue(pid, out var b) ? b.Ticks : 0;
            result[kind] += TimeSpan.FromSeconds(Math.Max(0, ticks - earlier) / TicksPerSecond);
        }

        return result;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("PPid:", StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan(5).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or not ours to read.
        }

        return null;
    }

    /// <summary>utime + stime (and, with its children, cutime + cstime) from <c>/proc/[pid]/stat</c>.</summary>
    private static long? Ticks(int pid, bool withChildren)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name, in parentheses, may hold spaces: the fields are counted after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], NumberStyles.Integer, CultureInfo.InvariantCulture);
            return Field(14) + Field(15) + (withChildren ? Field(16) + Field(17) : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
