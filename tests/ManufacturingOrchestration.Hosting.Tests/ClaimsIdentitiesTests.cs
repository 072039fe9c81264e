using System.Security.Claims;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Hosting.Tests;

public class ClaimsIdentitiesTests
{
    [Fact]
    public void FromPrincipal_OpenIdConnectClaims_MapsSubjectAuthTimeAndMethod()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("auth_time", "1796083200"), ("amr", "otp"), ("amr", "pwd"));

        var identity = ClaimsIdentities.FromPrincipal(principal);

        identity.Should().Be(new AuthenticatedIdentity { Actor = new ActorId("qm-quinn"), AuthenticatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Method = "otp" });
    }

    [Fact]
    public void FromPrincipal_IssuedAtAccepted_NameIdentifierAndIssuedAtAreTheFallbacks()
    {
        var principal = Principal("Cookies", (ClaimTypes.NameIdentifier, "sup-sara"), ("iat", "1796083260"));

        var identity = ClaimsIdentities.FromPrincipal(principal, AuthenticationTimeSource.AuthTimeOrIssuedAt);

        identity.Actor.Should().Be(new ActorId("sup-sara"));
        identity.AuthenticatedAt.Should().Be(new DateTimeOffset(2026, 12, 1, 0, 1, 0, TimeSpan.Zero));
        identity.Method.Should().Be("Cookies");
    }

    [Fact]
    public void FromPrincipal_OnlyIssuedAtByDefault_IsRefusedSinceARefreshedTokenIsNewWithoutAFreshSignIn()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("iat", "1796083260"), ("amr", "pwd"));

        var act = () => ClaimsIdentities.FromPrincipal(principal);

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("*no auth_time claim*iat*when the token was issued*AuthTimeOrIssuedAt*")
            .Which.ReasonCode.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Theory]
    [InlineData(AuthenticationTimeSource.AuthTimeClaim)]
    [InlineData(AuthenticationTimeSource.AuthTimeOrIssuedAt)]
    public void FromPrincipal_AuthTimeAndALaterIssuedAt_TheSignInTimeWins(AuthenticationTimeSource source)
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("iat", "1796090000"), ("auth_time", "1796083200"));

        ClaimsIdentities.FromPrincipal(principal, source).AuthenticatedAt.Should().Be(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void FromPrincipal_FractionalAuthTime_IsTheSecondItFellIn()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("auth_time", "1796083200.75"));

        ClaimsIdentities.FromPrincipal(principal).AuthenticatedAt.Should().Be(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void FromPrincipal_UnknownTimeSource_IsRefusedNamingTheArgument()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("auth_time", "1796083200"));

        var act = () => ClaimsIdentities.FromPrincipal(principal, (AuthenticationTimeSource)7);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("timeSource");
    }

    [Fact]
    public void FromPrincipal_NotAuthenticated_IsRefused()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "qm-quinn"), new Claim("auth_time", "1796083200")]));

        var act = () => ClaimsIdentities.FromPrincipal(principal);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Theory]
    [InlineData(null, "1796083200", "The principal's subject")]
    [InlineData("qm\u0000quinn", "1796083200", "The principal's subject")]
    [InlineData("qm-quinn", null, "carries no auth_time claim")]
    [InlineData("qm-quinn", "-5", "carries no auth_time claim")]
    [InlineData("qm-quinn", "1e9", "carries no auth_time claim")]
    [InlineData("qm-quinn", "99999999999999999", "carries no auth_time claim")]
    public void FromPrincipal_MissingOrBadSubjectOrTime_IsRefusedNamingWhat(string? subject, string? authTime, string message)
    {
        var claims = new List<(string, string)>();
        if (subject is not null)
        {
            claims.Add(("sub", subject));
        }

        if (authTime is not null)
        {
            claims.Add(("auth_time", authTime));
        }

        var act = () => ClaimsIdentities.FromPrincipal(Principal("Bearer", [.. claims]));

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("*" + message + "*").Which.ReasonCode.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Fact]
    public void FromPrincipal_Null_ThrowsNamingIt()
    {
        var act = () => ClaimsIdentities.FromPrincipal(null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("principal");
    }

    [Fact]
    public void FromPrincipal_SubjectAndNameIdentifier_TheSubjectWins()
    {
        var principal = Principal("Bearer", (ClaimTypes.NameIdentifier, "other-id"), ("sub", "qm-quinn"), ("auth_time", "1796083200"));

        ClaimsIdentities.FromPrincipal(principal).Actor.Should().Be(new ActorId("qm-quinn"));
    }

    [Fact]
    public void FromPrincipal_IssuedAtAcceptedButNeitherClaim_IsRefusedNamingBoth()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"));

        var act = () => ClaimsIdentities.FromPrincipal(principal, AuthenticationTimeSource.AuthTimeOrIssuedAt);

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("The principal of 'qm-quinn' carries no auth_time or iat claim in seconds since 1970*");
    }

    [Fact]
    public void FromPrincipal_MethodNotAnIdentifier_IsRefusedNamingTheMethod()
    {
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("auth_time", "1796083200"), ("amr", "p\u0007wd"));

        var act = () => ClaimsIdentities.FromPrincipal(principal);

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("The authentication method of 'qm-quinn' (amr claim or authentication type) *")
            .Which.ReasonCode.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Fact]
    public void FromPrincipal_AuthTimeAtTheLastSecondOfTheCalendar_IsRead()
    {
        var last = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
        var principal = Principal("Bearer", ("sub", "qm-quinn"), ("auth_time", last.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        ClaimsIdentities.FromPrincipal(principal).AuthenticatedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(last));
    }

    private static ClaimsPrincipal Principal(string authenticationType, params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType));
}
