namespace ManufacturingOrchestration.Model.Tests.Organization;

public class SiteProfileTests
{
    private static readonly DateTimeOffset LateUtcEvening = new(2026, 11, 2, 23, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset EarlyUtcMorning = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("UTC", "2026-11-02", "2026-11-02")]
    [InlineData("Europe/Berlin", "2026-11-03", "2026-11-02")]
    [InlineData("America/Los_Angeles", "2026-11-02", "2026-11-01")]
    [InlineData("Asia/Tokyo", "2026-11-03", "2026-11-02")]
    public void DateAt_SiteTimeZone_IsTheSitesCalendarDate(string zone, string lateEvening, string earlyMorning)
    {
        var site = new SiteProfile { Id = new SiteId("P1"), TimeZone = zone };

        site.DateAt(LateUtcEvening).Should().Be(DateOnly.Parse(lateEvening, System.Globalization.CultureInfo.InvariantCulture));
        site.DateAt(EarlyUtcMorning).Should().Be(DateOnly.Parse(earlyMorning, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DateAt_UnknownTimeZone_IsRefusedNamingSiteAndZone()
    {
        var site = new SiteProfile { Id = new SiteId("P9"), TimeZone = "Mars/Olympus_Mons" };

        var act = () => site.DateAt(EarlyUtcMorning);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .WithMessage("Site P9 names the time zone 'Mars/Olympus_Mons', which this machine does not know.")
            .Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }
}
