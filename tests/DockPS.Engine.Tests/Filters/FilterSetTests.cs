using DockPS.Engine.Filters;

namespace DockPS.Engine.Tests.Filters;

public class FilterSetTests
{
    [Fact]
    public void ParsesTheCurrentListShape()
    {
        var f = FilterSet.Parse("""{"type":["container","image"],"label":["a=b"]}""");
        Assert.Equal(["container", "image"], f.Get("type").Order());
        Assert.Equal(["a=b"], f.Get("label"));
    }

    [Fact]
    public void ParsesTheOlderMapShape()
    {
        var f = FilterSet.Parse("""{"type":{"daemon":true,"image":false}}""");
        Assert.Equal(["daemon"], f.Get("type"));
    }

    [Theory]
    [InlineData("{not json", "invalid filter")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"type":"daemon"}""", "values must be a list of strings")]
    [InlineData("""{"type":[1]}""", "values must be a list of strings")]
    public void RejectsMalformedFilters(string json, string message)
    {
        var e = Assert.Throws<FilterException>(() => FilterSet.Parse(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void EmptyTextMatchesEverything()
    {
        var f = FilterSet.Parse("");
        Assert.True(f.ExactMatch("type", "anything"));
        Assert.True(f.FuzzyMatch("name", null));
    }

    [Fact]
    public void ValidateNamesTheUnknownKey()
    {
        var f = FilterSet.Parse("""{"bogus":["x"]}""");
        var e = Assert.Throws<FilterException>(() => f.Validate(new HashSet<string> { "type" }));
        Assert.Equal("invalid filter 'bogus'", e.Message);
    }

    [Fact]
    public void FuzzyMatchIsByPrefix()
    {
        var f = FilterSet.From([new("container", "abc")]);
        Assert.True(f.FuzzyMatch("container", "abcdef"));
        Assert.False(f.FuzzyMatch("container", "xabc"));
    }

    [Fact]
    public void LabelsMatchByKeyOrKeyValue()
    {
        var labels = new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "web" };
        Assert.True(FilterSet.From([new("label", "env")]).MatchLabels("label", labels));
        Assert.True(FilterSet.From([new("label", "env=prod"), new("label", "tier")]).MatchLabels("label", labels));
        Assert.False(FilterSet.From([new("label", "env=dev")]).MatchLabels("label", labels));
        Assert.False(FilterSet.From([new("label", "env")]).MatchLabels("label", null));
    }
}
