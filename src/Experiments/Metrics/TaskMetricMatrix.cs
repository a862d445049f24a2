namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>
/// The continual-learning result triangle: Value[i, j] is the metric of task j measured right after training
/// task i (defined for j ≤ i). Average metric after task i = mean over j ≤ i; forgetting of task j =
/// degradation from Value[j, j] (when first learned) to Value[T−1, j] (end of training).
/// </summary>
public sealed class TaskMetricMatrix
{
    private readonly double?[,] _values;

    public TaskMetricMatrix(int tasks, MetricDefinition metric)
    {
        Tasks = tasks;
        Metric = metric;
        _values = new double?[tasks, tasks];
    }

    public int Tasks { get; }

    public MetricDefinition Metric { get; }

    public double? this[int afterTask, int task]
    {
        get => _values[afterTask, task];
        set
        {
            if (task > afterTask)
            {
                throw new ArgumentOutOfRangeException(nameof(task), $"task {task} cannot be measured after task {afterTask}: it has not been learned yet");
            }
            _values[afterTask, task] = value;
        }
    }

    /// <summary>Index of the last task with a full row of measurements, or −1.</summary>
    public int LastCompleteRow
    {
        get
        {
            var last = -1;
            for (var i = 0; i < Tasks; i++)
            {
                var complete = true;
                for (var j = 0; j <= i; j++)
                {
                    complete &= _values[i, j].HasValue;
                }
                if (!complete)
                {
                    break;
                }
                last = i;
            }
            return last;
        }
    }

    /// <summary>Mean metric over tasks 0..i after training task i.</summary>
    public double AverageAfter(int i)
    {
        var sum = 0.0;
        for (var j = 0; j <= i; j++)
        {
            sum += _values[i, j] ?? throw new InvalidOperationException($"metric of task {j} after task {i} is missing");
        }
        return sum / (i + 1);
    }

    /// <summary>Degradation of task j from when it was learned to after task <paramref name="end"/>.</summary>
    public double ForgettingOf(int j, int end) =>
        Metric.Degradation(_values[j, j] ?? double.NaN, _values[end, j] ?? double.NaN);

    /// <summary>
    /// Average forgetting after task <paramref name="end"/>. With <paramref name="includeLast"/> the last task (whose
    /// forgetting is 0 by definition) is counted, as the TRCL authors' evaluation code does.
    /// </summary>
    public double AverageForgetting(int end, bool includeLast = true)
    {
        var count = includeLast ? end + 1 : end;
        if (count <= 0)
        {
            return 0;
        }
        var sum = 0.0;
        for (var j = 0; j < count; j++)
        {
            sum += ForgettingOf(j, end);
        }
        return sum / count;
    }

    public double?[][] ToJagged()
    {
        var rows = new double?[Tasks][];
        for (var i = 0; i < Tasks; i++)
        {
            rows[i] = new double?[i + 1];
            for (var j = 0; j <= i; j++)
            {
                rows[i][j] = _values[i, j];
            }
        }
        return rows;
    }

    public static TaskMetricMatrix FromJagged(double?[][] rows, MetricDefinition metric)
    {
        var m = new TaskMetricMatrix(rows.Length, metric);
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = 0; j < rows[i].Length && j <= i; j++)
            {
                m[i, j] = rows[i][j];
            }
        }
        return m;
    }
}
