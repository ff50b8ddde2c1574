// esbuild bundles CSS imports into a sibling .css file; TypeScript only needs to know they exist.
declare module '*.css';
