/* Parley's embed script:
 *   <script src="https://parley.example/widget.js" data-widget="wid_…" async></script>
 * A classic script (the tag needs no type="module"), so it only finds itself and loads the widget
 * module from its own origin; everything else lives in /widget/embed.js and /shared/.
 * The script element's data-parley-state says how it went: loading, ready or error (for the page's
 * owner and for tests; details go to the console). */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  script.setAttribute('data-parley-state', 'loading');
  import(new URL('/widget/embed.js', script.src).href)
    .then(function (module) { return module.embed(script); })
    .then(function () { script.setAttribute('data-parley-state', 'ready'); })
    .catch(function (error) {
      script.setAttribute('data-parley-state', 'error');
      console.warn('Parley widget not shown:', error && error.message ? error.message : error);
    });
})();
