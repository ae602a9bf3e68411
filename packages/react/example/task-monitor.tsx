import { createRoot } from 'react-dom/client';
import { ForemanProvider, TaskProgress } from '../src/index.js';

/** The page's query: `?api=<base url>&tasks=<id>:<read token>,…` (the product's backend mints the tokens). */
const query = new URLSearchParams(location.search);
const tasks = (query.get('tasks') ?? '')
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const [taskId = '', token = ''] = pair.split(':');
    return { taskId, token };
  });

/** A task monitor: one live progress bar per task, each read with its own read token. */
function TaskMonitor() {
  return (
    <ForemanProvider baseUrl={query.get('api') ?? location.origin}>
      <h1>Tasks</h1>
      {tasks.map(({ taskId, token }) => (
        <TaskProgress<{ bytes: number }> key={taskId} taskId={taskId} token={token}>
          {(task) =>
            task.result ? <span className="foreman-task-message">{task.result.bytes} bytes</span> : null
          }
        </TaskProgress>
      ))}
    </ForemanProvider>
  );
}

createRoot(document.getElementById('root')!).render(<TaskMonitor />);
