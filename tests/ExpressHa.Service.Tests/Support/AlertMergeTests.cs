using ExpressHa.Api;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Tests.Support;

public class AlertMergeTests
{
    static AlertEntry A(string time, string node, int id) => new() { Time = time, Node = node, Level = "info", Module = "pm", EventId = id, Message = $"{node} {id}" };

    [Fact]
    public void Interleaves_nodes_by_time_keeping_each_nodes_order_on_ties()
    {
        var server1 = new[] { A("2026-12-06T10:00:00.100Z", "server1", 1), A("2026-12-06T10:00:00.300Z", "server1", 2), A("2026-12-06T10:00:00.300Z", "server1", 3) };
        var server2 = new[] { A("2026-12-06T10:00:00.200Z", "server2", 1), A("2026-12-06T10:00:00.300Z", "server2", 2) };

        var merged = AlertMerge.Merge([server2, server1]);

        Assert.Equal(["server1 1", "server2 1", "server1 2", "server1 3", "server2 2"], merged.Select(e => e.Message));
    }

    [Fact]
    public void Last_keeps_the_newest_of_the_merged_list_and_a_bad_time_sorts_first()
    {
        var server1 = new[] { A("not a time", "server1", 9), A("2026-12-06T10:00:03Z", "server1", 3) };
        var server2 = new[] { A("2026-12-06T10:00:01Z", "server2", 1), A("2026-12-06T10:00:02+00:00", "server2", 2) };

        Assert.Equal("server1 9", AlertMerge.Merge([server1, server2])[0].Message);
        Assert.Equal(["server2 2", "server1 3"], AlertMerge.Merge([server1, server2], last: 2).Select(e => e.Message));
        Assert.Equal(4, AlertMerge.Merge([server1, server2], last: 10).Count);
    }
}
