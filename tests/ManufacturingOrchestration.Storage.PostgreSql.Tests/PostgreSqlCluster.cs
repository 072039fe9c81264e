using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// A private PostgreSQL cluster for this test process, started from the installed binaries (found with
/// <c>pg_config --bindir</c>; they are not on the PATH): <c>initdb</c> into a fresh temporary folder owned by the
/// <c>postgres</c> system user (initdb and postgres refuse to run as root, so as root they run through
/// <c>runuser -u postgres --</c>), socket and data folders inside it, listening on 127.0.0.1 only, on a free port (another
/// one when it is taken), with <c>fsync=off</c> because nothing here must survive a power loss. Stopped and deleted at the
/// end of the run.
/// </summary>
/// <remarks>
/// Without the binaries the tests are skipped with the reason, except in CI (<c>CI=true</c>), where they must run: there
/// the fixture fails instead. Each test class gets schemas of its own (<see cref="NewSchema"/>) in one database, which is
/// much faster than a database per test.
/// <para>The PostgreSQL store's tests share one cluster as an assembly fixture (<c>AssemblyFixtures.cs</c>); the sample
/// tests link this file and use it as the class fixture of their one PostgreSQL test class, so the other sample tests
/// start no server.</para>
/// </remarks>
public sealed class PostgreSqlCluster : IAsyncLifetime
{
    /// <summary>The superuser's password: connections over TCP authenticate with it (scram-sha-256).</summary>
    internal const string Password = "Tr0ub4dor-pg-fixture";

    private const string User = "mo";
    private const string Database = "mo_tests";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static int _schemaCounter;

    private string? _root;
    private string? _binDirectory;
    private string? _dataDirectory;
    private NpgsqlDataSource? _admin;
    private string _connectionString = string.Empty;

    /// <summary>Why the tests cannot run here, or <see langword="null"/> when the cluster runs.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The TCP port the cluster listens on.</summary>
    public int Port { get; private set; }

    /// <summary>A connection string to the test database, with the password; skips the calling test when the cluster cannot run here.</summary>
    public string ConnectionString
    {
        get
        {
            SkipWhenUnavailable();
            return _connectionString;
        }
    }

    /// <summary>A data source on the test database, shared by the tests (the tests do not dispose it); skips the calling test when the cluster cannot run here.</summary>
    public NpgsqlDataSource DataSource
    {
        get
        {
            SkipWhenUnavailable();
            return _admin ?? throw new InvalidOperationException("The cluster is not running.");
        }
    }

    /// <summary>Skips the calling test when the cluster cannot run here.</summary>
    public void SkipWhenUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? string.Empty);

    /// <summary>A schema name no other test uses.</summary>
    /// <param name="prefix">Names the test area, lower case.</param>
    /// <returns>The schema name.</returns>
    public static string NewSchema(string prefix = "t") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _schemaCounter)}");

    /// <summary>Options for a store in a schema of its own.</summary>
    /// <param name="schema">The schema, or <see langword="null"/> for a new one.</param>
    /// <returns>The options (no automatic pruning).</returns>
    public PostgreSqlStoreOptions NewOptions(string? schema = null) => new()
    {
        DataSource = DataSource,
        Schema = schema ?? NewSchema(),
        RetentionWindow = null,
    };

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        if (_binDirectory is null)
        {
            const string reason = "PostgreSQL server binaries were not found (pg_config --bindir, /usr/lib/postgresql/*/bin); install the 'postgresql' package to run these tests.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(reason + " In CI they must run.");
            }

            SkipReason = reason;
            return;
        }

        _root = Path.Combine(Path.GetTempPath(), "mo-pg-" + Guid.NewGuid().ToString("N")[..12]);
        _dataDirectory = Path.Combine(_root, "data");
        var socketDirectory = Path.Combine(_root, "socket");
        Directory.CreateDirectory(socketDirectory);
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }

        await RunAsPostgresAsync(
            Path.Combine(_binDirectory, "initdb"),
            ["-D", _dataDirectory, "-U", User, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        File.Delete(passwordFile);

        var log = Path.Combine(_root, "server.log");
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Port = FreePort();
            var settings = string.Join(
                ' ',
                "-p", Port.ToString(CultureInfo.InvariantCulture),
                "-k", socketDirectory,
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=200");
            try
            {
                await RunAsPostgresAsync(
                    Path.Combine(_binDirectory, "pg_ctl"),
                    ["start", "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-D", _dataDirectory, "-l", log, "-o", settings]);
                last = null;
                break;
            }
            catch (InvalidOperationException ex)
            {
                // Most likely the port was taken between choosing it and binding it: try another one.
                last = new InvalidOperationException(ex.Message + Environment.NewLine + (File.Exists(log) ? await File.ReadAllTextAsync(log) : string.Empty), ex);
            }
        }

        if (last is not null)
        {
            throw last;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Password = Password,
            Database = "postgres",
            MaxPoolSize = 50,
        };
        await using (var postgres = NpgsqlDataSource.Create(builder.ConnectionString))
        {
            await using var create = postgres.CreateCommand("CREATE DATABASE " + Database);
            await create.ExecuteNonQueryAsync();
        }

        builder.Database = Database;
        _connectionString = builder.ConnectionString;
        _admin = NpgsqlDataSource.Create(_connectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_binDirectory is not null && _dataDirectory is not null && File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsPostgresAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-t", "30", "-D", _dataDirectory]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        if (_root is not null && Directory.Exists(_root))
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // The temporary folder is cleaned up by the system.
            }
        }
    }

    /// <summary>Runs SQL on the test database through a connection of its own, as someone with database access would.</summary>
    /// <param name="sql">The statements.</param>
    /// <param name="parameters">Positional parameters ($1, $2, …).</param>
    /// <returns>The rows changed.</returns>
    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Reads one value on the test database.</summary>
    /// <param name="sql">The query.</param>
    /// <param name="parameters">Positional parameters ($1, $2, …).</param>
    /// <returns>The first column of the first row.</returns>
    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    private static bool IsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    private static string? FindBinDirectory()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit(10_000);
                if (process.ExitCode == 0 && File.Exists(Path.Combine(output, "initdb")))
                {
                    return output;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on the PATH: look where Debian installs the server.
        }

        const string debian = "/usr/lib/postgresql";
        return Directory.Exists(debian)
            ? Directory.GetDirectories(debian).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(string file, IReadOnlyList<string> arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments]) : RunAsync(file, arguments);

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        using var timeout = new CancellationTokenSource(StartTimeout + TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not finish in time.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }
}
