// Vite config for the editor (root: this folder, given by `vite build ui` or scripts/build-ui.mjs); the build goes to ui/dist, which `sluice serve` serves.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  server: {
    // `npx vite ui` for development: API and socket.io go to a running `sluice serve` on :8080.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
