using System.Text.RegularExpressions;

namespace ExpressHa.AwsLocal;

/// <summary>SNS Query API (Version 2010-03-31): CreateTopic, ListTopics, Publish. Published messages are kept in
/// WorldState.Published.</summary>
internal sealed class SnsApi
{
    public const string Ns = "http://sns.amazonaws.com/doc/2010-03-31/";
    private readonly AwsLocalServer _server;
    private World W => _server.World;

    public SnsApi(AwsLocalServer server) => _server = server;

    public static string ErrorXml(string code, string message, string requestId, string type = "Sender") =>
        new XmlOut().Open("ErrorResponse", Ns).Open("Error").El("Type", type).El("Code", code).El("Message", message).Close("Error")
            .El("RequestId", requestId).Close("ErrorResponse").ToString();

    public static string Arn(WorldState s, string name) => $"arn:aws:sns:{s.Region}:{s.AccountId}:{name}";

    private static string Ok(AwsRequest r, Action<XmlOut> result)
    {
        var x = new XmlOut().Open(r.Action + "Response", Ns).Open(r.Action + "Result");
        result(x);
        return x.Close(r.Action + "Result").Open("ResponseMetadata").El("RequestId", r.RequestId).Close("ResponseMetadata").Close(r.Action + "Response").ToString();
    }

    public string Handle(AwsRequest r)
    {
        var p = r.Params;
        switch (r.Action)
        {
            case "CreateTopic":
            {
                var name = Q.Get(p, "Name") ?? throw new AwsError(400, "InvalidParameter", "Invalid parameter: Name");
                if (!Regex.IsMatch(name, "^[A-Za-z0-9_-]{1,256}$")) throw new AwsError(400, "InvalidParameter", "Invalid parameter: Topic Name");
                var arn = W.Write(s =>
                {
                    _server.Authorize(r, "CreateTopic", Arn(s, name));
                    if (s.Topics.All(t => t.Name != name)) s.Topics.Add(new Topic { Name = name });
                    return Arn(s, name);
                });
                return Ok(r, x => x.El("TopicArn", arn));
            }
            case "ListTopics":
                return W.ReadLagged(r.LagMs, s => Ok(r, x => x.Set("Topics", s.Topics, (x, t) => x.El("TopicArn", Arn(s, t.Name)), "member")));
            case "Publish":
            {
                var arn = Q.Get(p, "TopicArn") ?? Q.Get(p, "TargetArn");
                if (string.IsNullOrEmpty(arn)) throw new AwsError(400, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
                var message = Q.Get(p, "Message");
                if (string.IsNullOrEmpty(message)) throw new AwsError(400, "InvalidParameter", "Invalid parameter: Empty message");
                var subject = Q.Get(p, "Subject");
                if (subject != null && (subject.Length == 0 || subject.Length > 100 || subject.Any(char.IsControl)))
                    throw new AwsError(400, "InvalidParameter", "Invalid parameter: Subject");
                if (System.Text.Encoding.UTF8.GetByteCount(message) > 262144)
                    throw new AwsError(400, "InvalidParameter", "Invalid parameter: Message too long");
                var id = W.Write(s =>
                {
                    if (!arn.StartsWith($"arn:aws:sns:{s.Region}:{s.AccountId}:") || s.Topics.All(t => Arn(s, t.Name) != arn))
                        throw new AwsError(404, "NotFound", "Topic does not exist");
                    _server.Authorize(r, "Publish", arn);
                    var m = new PublishedMessage { MessageId = Guid.NewGuid().ToString(), TopicArn = arn, Subject = subject, Message = message, Time = DateTime.UtcNow };
                    s.Published.Add(m);
                    return m.MessageId;
                });
                return Ok(r, x => x.El("MessageId", id));
            }
            default:
                throw new AwsError(400, "InvalidAction", $"The action {r.Action} is not valid for this web service.");
        }
    }
}
