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
    [InlineData("readers")]
    [InlineData("retention")]
    [InlineData("interval")]
    [InlineData("busy")]
    [InlineData("synchronous")]
    public void Validate_InvalidValue_Throws(string which)
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

        act.Should().Throw<ArgumentException>();
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
