namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

public sealed class SqliteStoreOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValidAndDocumented()
    {
        var options = new SqliteStoreOptions();

        options.Validate();

        options.Synchronous.Should().Be(SqliteSynchronousMode.Normal);
        options.RetentionWindow.Should().Be(TimeSpan.FromDays(7));
        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("readers", "MaxReaderConnections: The field SqliteStoreOptions.MaxReaderConnections must be between 1 and 2147483647.")]
    [InlineData("retention", "RetentionWindow: The field SqliteStoreOptions.RetentionWindow must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.")]
    [InlineData("interval", "PruneInterval: The field SqliteStoreOptions.PruneInterval must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.")]
    [InlineData("busy", "BusyTimeout: The field SqliteStoreOptions.BusyTimeout must be between 00:00:00 and 10675199.02:48:05.4775807.")]
    [InlineData("synchronous", "Synchronous: The field SqliteStoreOptions.Synchronous must be Normal or Full.")]
    public void Validate_InvalidValue_ThrowsNamingTheSettingAndItsRange(string which, string expected)
    {
        var options = new SqliteStoreOptions();
        switch (which)
        {
            case "readers": options.MaxReaderConnections = 0; break;
            case "retention": options.RetentionWindow = TimeSpan.Zero; break;
            case "interval": options.PruneInterval = TimeSpan.FromSeconds(-1); break;
            case "busy": options.BusyTimeout = TimeSpan.FromSeconds(-1); break;
            default: options.Synchronous = (SqliteSynchronousMode)7; break;
        }

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().WithMessage("The SQLite store settings are not valid: " + expected);
    }

    [Fact]
    public void Validate_NoRetentionWindow_IsValid()
    {
        var options = new SqliteStoreOptions { RetentionWindow = null };

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Open_InvalidOptions_FailsBeforeCreatingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mo-never-{Guid.NewGuid():N}.db");

        var act = () => SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { MaxReaderConnections = 0 });

        act.Should().Throw<ArgumentException>();
        File.Exists(path).Should().BeFalse();
    }
}
