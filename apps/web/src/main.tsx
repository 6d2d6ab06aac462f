import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { AuthRequiredError } from './api/client.js';
import { App } from './App.js';

// A refused token is not retried: the page shows the login form instead. Other failures retry twice.
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (failures, error) => !(error instanceof AuthRequiredError) && failures < 2, refetchOnWindowFocus: false } },
});

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
