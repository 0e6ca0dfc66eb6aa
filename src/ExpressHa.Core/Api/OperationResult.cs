namespace ExpressHa.Api
{
    /// <summary>The answer to an operation (start/stop/move a group, suspend a node...). Code is a stable id such as
    /// ExpressHa.GroupNotFound when Ok is false.</summary>
    public sealed class OperationResult
    {
        public bool Ok { get; set; }
        public string Message { get; set; } = "";
        public string? Code { get; set; }
        /// <summary>For a list of plan steps: the index of the step that failed (the steps before it ran).</summary>
        public int? FailedStep { get; set; }

        public override string ToString() => Ok ? Message : Code + ": " + Message;

        public static OperationResult Success(string message) => new OperationResult { Ok = true, Message = message };
        public static OperationResult Failure(string code, string message) => new OperationResult { Ok = false, Code = code, Message = message };
    }
}
