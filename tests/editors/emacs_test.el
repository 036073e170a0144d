;;; emacs_test.el --- Emacs (batch) + eglot + editors/emacs/kairos.el against the real kairos  -*- lexical-binding: t; -*-

;; Environment: ROOT, KAIROS, WS (a git work tree copied from
;; tests/data/editor-ws), PERSONAL (the personal store, copied from
;; tests/data/editor-personal), OUT (result file: "ok NAME", "FAIL NAME:
;; WHY" or "skip NAME: WHY" per line).  Steps that need a server feature
;; are skipped only while the server does not advertise it.
;;
;; Emacs in batch mode never goes idle: the test runs the idle timers
;; itself (eglot's didChange timer, kairos's idle timers), with
;; `current-idle-time' answering the simulated idle time.

(load (expand-file-name "tests/editors/kt.el" (getenv "ROOT")) nil t)
(defvar kt-personal (getenv "PERSONAL"))


(defun kt-run-idle-timers (&optional skip-kairos)
  "Run the idle timers that are due once Emacs goes idle (eglot's didChange)."
  (dolist (tm (copy-sequence timer-idle-list))
    (unless (and skip-kairos (memq (timer--function tm) '(kairos--on-idle)))
      (timer-event-handler tm))))

(load (expand-file-name "editors/emacs/kairos.el" (getenv "ROOT")) nil t)
(setq kairos-server-command (list (getenv "KAIROS") "lsp")
      kairos-use-proxy nil              ; kairos alone; emacs_proxy_test.el covers the proxy
      kairos-initialization-options
      (list :memoryDir kt-personal
            :tick '(:minInactivityMs 200)
            ;; No dream from the server's own idle clock; the dream step
            ;; lowers idleMs to 1000 first.
            :dream '(:idleMs 3600000 :minHours 0 :minSignals 0))
      kairos-idle-seconds 0.4
      eglot-sync-connect 10)
(kairos-idle-mode-start)

(defvar kt-shown nil "window/showMessage messages seen.")
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/showMessage)) &key message &allow-other-keys)
  (push message kt-shown))

(defvar kt-idle-sent nil "kairos/idle params sent.")
(advice-add 'jsonrpc-notify :before
            (lambda (_conn method params)
              (when (eq method :kairos/idle) (push params kt-idle-sent))))

(defvar kt-server nil)
(defvar kt-archived-before-idle nil)
(defvar kt-buf nil)
(defvar kt-caps nil)
(defvar kt-commands nil)

(defun kt-line (n)
  (with-current-buffer kt-buf
    (save-excursion
      (goto-char (point-min)) (forward-line (1- n))
      (buffer-substring-no-properties (line-beginning-position) (line-end-position)))))

(defun kt-kairos-diags (&optional line)
  "Flymake's kairos diagnostics, on LINE (1-based) when given."
  (with-current-buffer kt-buf
    (cl-remove-if-not
     (lambda (d)
       (and (string-prefix-p "kairos" (flymake-diagnostic-text d))
            (or (null line)
                (= line (line-number-at-pos (flymake-diagnostic-beg d))))))
     (flymake-diagnostics))))

(defun kt-wait-diags (seconds line)
  (kt-wait seconds (lambda ()
                     (with-current-buffer kt-buf (flymake-start))
                     (kt-kairos-diags line))))

(defun kt-doc-state (&optional position)
  (with-current-buffer kt-buf
    (jsonrpc-request kt-server :kairos/documentState
                     (append (list :textDocument (list :uri (kairos--path-to-uri buffer-file-name)))
                             (and position (list :position position))))))

(defun kt-sync ()
  "Send eglot's pending didChange (its idle timer) and wait for the server."
  (with-current-buffer kt-buf
    (kt-run-idle-timers t)
    (kt-wait 5 (lambda () (equal (plist-get (kt-doc-state) :text)
                                 (buffer-substring-no-properties (point-min) (point-max)))))))

(defun kt-simulate-idle (seconds pred)
  "Be idle for up to SECONDS (real time) until PRED holds, running kairos's
idle timers as Emacs would, with `current-idle-time' telling the truth."
  (let ((t0 (float-time)) (fired nil) v)
    (cl-letf (((symbol-function 'current-idle-time)
               (lambda () (seconds-to-time (- (float-time) t0)))))
      (setq t0 (float-time))
      (while (and (not (setq v (funcall pred))) (< (- (float-time) t0) seconds))
        (dolist (tm (copy-sequence timer-idle-list))
          (when (and (eq (timer--function tm) 'kairos--on-idle)
                     (not (memq tm fired))
                     (<= (float-time (timer--time tm)) (- (float-time) t0)))
            (push tm fired)
            (timer-event-handler tm)))
        ;; A request keeps the server's own idle clock at zero: only the
        ;; editor's kairos/idle can make it dream.
        (kt-doc-state)
        (accept-process-output nil 0.1)))
    v))

(defun kt-main ()
  (unless
      (kt-step "eglot starts kairos for a file of the workspace"
        (find-file (expand-file-name "src/main.c" kt-ws))
        (setq kt-buf (current-buffer))
        (kt-check (eq major-mode 'c-mode) "major mode %s" major-mode)
        (call-interactively #'eglot)
        (setq kt-server (kt-wait 10 #'eglot-current-server))
        (kt-check kt-server "no eglot server")
        (kt-check (kairos--eglot-server-p kt-server) "the server is %s, not kairos" kt-server)
        (setq kt-caps (eglot--capabilities kt-server))
        (setq kt-commands (append (plist-get (plist-get kt-caps :executeCommandProvider) :commands) nil))
        (kt-check (equal (file-name-as-directory (expand-file-name (project-root (eglot--project kt-server)))) kt-ws)
                  "project root %s" (project-root (eglot--project kt-server))))
    (kt-finish))

  (kt-step "the server holds the buffer text; utf-16 columns map to the right byte"
    (let ((r (kt-doc-state '(:line 6 :character 11))))
      (kt-check (equal (plist-get r :text) (with-current-buffer kt-buf (buffer-string)))
                "server text differs: %S" (plist-get r :text))
      (kt-check (eql (plist-get (plist-get r :position) :byte) 14)
                "utf-16 column 11 is byte %S" (plist-get r :position)))
    (with-current-buffer kt-buf
      (goto-char (point-max))
      (insert "/* 😀 edited */\n"))
    (kt-check (kt-sync) "the server did not follow an edit"))

  (kt-step "kairos-remember-region sends the region's text, uri and utf-16 range"
    (with-current-buffer kt-buf
      (goto-char (point-min)) (forward-line 6)
      (let* ((end (search-forward "strcpy" (line-end-position) t))
             (args (and end (kairos-remember-arguments (- end 6) end "team"))))
        (kt-check end "no strcpy on line 7")
        (kt-check (equal (plist-get args :text) "strcpy") "text %S" (plist-get args :text))
        (kt-check (equal (plist-get args :uri) (eglot--path-to-uri buffer-file-name))
                  "uri %S, eglot's %S" (plist-get args :uri) (eglot--path-to-uri buffer-file-name))
        (kt-check (equal (plist-get args :range) '(:start (:line 6 :character 11) :end (:line 6 :character 17)))
                  "range %S" (plist-get args :range))
        (kt-check (equal (plist-get args :store) "team") "store %S" (plist-get args :store)))))

  (if (not (plist-get kt-caps :codeActionProvider))
      (kt-skip "diagnostic and quick fix" "server advertises no codeActionProvider yet")
    (kt-step "the kairos diagnostic appears at the right place"
      (kt-check (kt-wait-diags 10 7) "no kairos diagnostic on line 7: %S"
                (with-current-buffer kt-buf (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
      (let* ((d (car (kt-kairos-diags 7)))
             (beg (flymake-diagnostic-beg d)))
        (with-current-buffer kt-buf
          (kt-check (equal (buffer-substring-no-properties beg (flymake-diagnostic-end d)) "strcpy(")
                    "the diagnostic covers %S"
                    (buffer-substring-no-properties beg (flymake-diagnostic-end d))))
        (kt-check (string-match-p "no-strcpy" (flymake-diagnostic-text d))
                  "text %S" (flymake-diagnostic-text d))))

    (if (not (member "kairos.trust" kt-commands))
        (kt-skip "workspace trust" "server does not advertise kairos.trust yet")
      (kt-step "the untrusted team store: the message says so once, and no quick fix is offered"
        (let ((msgs (cl-remove-if-not (lambda (m) (string-match-p "not trusted" m)) kt-shown)))
          (kt-check (= 1 (length msgs)) "messages about trust: %S" kt-shown)
          (kt-check (string-match-p "M-x kairos-trust" (car msgs)) "the message names kairos-trust: %S" (car msgs)))
        (let ((acts (with-current-buffer kt-buf
                      (jsonrpc-request kt-server :textDocument/codeAction
                                       (list :textDocument (list :uri (kairos--path-to-uri buffer-file-name))
                                             :range '(:start (:line 6 :character 11) :end (:line 6 :character 18))
                                             :context '(:diagnostics []))))))
          (kt-check (cl-notany (lambda (a) (and (equal (plist-get a :kind) "quickfix")
                                                (string-match-p "strlcpy" (plist-get a :title))))
                               acts)
                    "a quick fix: %S" acts)
          (kt-check (kt-kairos-diags 7) "the diagnostic stays")))
      (kt-step "kairos-trust trusts the workspace"
        (let ((r (with-current-buffer kt-buf (kairos-trust))))
          (kt-check (eq (plist-get r :trusted) t) "kairos.trust answered %S" r))))

    (kt-step "the quick fix edits the buffer and the diagnostic goes away"
      (let* ((d (car (kt-kairos-diags 7)))
             (titles nil))
        (kt-check d "no diagnostic to fix")
        (with-current-buffer kt-buf
          (goto-char (flymake-diagnostic-beg d))
          (cl-letf (((symbol-function 'completing-read)
                     (lambda (_prompt coll &rest _)
                       (setq titles (mapcar #'car coll))
                       (or (cl-find-if (lambda (s) (string-match-p "strlcpy" s)) titles)
                           (error "no strlcpy action in %S" titles)))))
            (let ((last-nonmenu-event ?a))
              (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d) "quickfix" t))))
        (kt-check (equal (kt-line 7) "\t/* é😀 */ strlcpy(dst, src);") "line 7 is %S (actions %S)"
                  (kt-line 7) titles)
        (kt-check (kt-sync) "the server did not get the fix")
        (kt-check (kt-wait 5 (lambda ()
                               (with-current-buffer kt-buf (flymake-start))
                               (null (kt-kairos-diags 7))))
                  "the diagnostic stayed after the fix"))))

  (if (not (and (member "kairos.remember" kt-commands) (member "kairos.memories" kt-commands)
                (member "kairos.undo" kt-commands)))
      (kt-skip "kairos-remember-region / kairos-undo" "server does not advertise them yet")
    (kt-step "kairos-remember-region remembers the region; kairos-undo takes it back"
      (with-current-buffer kt-buf
        (goto-char (point-min)) (forward-line 6)
        (let* ((beg (search-forward "strlcpy" nil t))
               (r (and beg (kairos-remember-region (- beg 7) beg)))
               (name (plist-get r :name))
               (m (cl-find name (kairos-memories-list) :key (lambda (m) (plist-get m :name))
                           :test #'equal)))
          (kt-check beg "no strlcpy on line 7")
          (kt-check m "%s is not listed" name)
          (kt-check (with-temp-buffer
                      (insert-file-contents (kairos--uri-to-path (plist-get m :uri)))
                      (search-forward "strlcpy" nil t))
                    "the memory file does not hold the region")
          (kt-check (plist-get (kairos-undo) :reverted) "undo reverted nothing")
          (kt-check (not (cl-find name (kairos-memories-list) :key (lambda (m) (plist-get m :name))
                                  :test #'equal))
                    "%s is still listed after undo" name)))))

  (if (not (member "kairos.memories" kt-commands))
      (kt-skip "kairos-memories" "server does not advertise kairos.memories yet")
    (kt-step "kairos-memories lists the team rule and opens it"
      (with-current-buffer kt-buf
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt coll &rest _)
                     (or (cl-find-if (lambda (s) (string-prefix-p "no-strcpy " s)) (mapcar #'car coll))
                         (error "no-strcpy not listed: %S" (mapcar #'car coll))))))
          (kairos-memories))
        (kt-check (string-suffix-p "no-strcpy.md" (or buffer-file-name ""))
                  "opened %S" buffer-file-name))
      (switch-to-buffer kt-buf)))

  ;; The server's own idle clock is off for the test (dream.idleMs is an
  ;; hour): the first kairos/idle, sent on focus-out, starts the dream.
  (setq kt-archived-before-idle
        (length (file-expand-wildcards (expand-file-name "archive/*.md" kt-personal))))
  (kt-step "idle timers and focus-out report kairos/idle"
    (setq kt-idle-sent nil)
    (cl-letf (((symbol-function 'frame-focus-state) (lambda (&rest _) nil)))
      (funcall after-focus-change-function))
    (kt-check (and (= (length kt-idle-sent) 1) (numberp (plist-get (car kt-idle-sent) :idleMs)))
              "focus-out sent %S" kt-idle-sent)
    (setq kt-idle-sent nil)
    (kt-simulate-idle 1.5 (lambda () (>= (length kt-idle-sent) 3)))
    (let ((ms (reverse (mapcar (lambda (p) (plist-get p :idleMs)) kt-idle-sent))))
      (kt-check (>= (length ms) 3) "idle reports: %S" ms)
      (kt-check (and (>= (car ms) 400) (< (car ms) (cadr ms)) (< (cadr ms) (nth 2 ms)))
                "idle reports do not grow from 400 ms: %S" ms)))

  (if (not (member "kairos.dream" kt-commands))
      (kt-skip "dream on idle / kairos-dream" "server does not advertise kairos.dream yet")
    (kt-step "the idle report made the server dream and say so"
      (kt-check (= kt-archived-before-idle 0) "a dream ran before any kairos/idle")
      (kt-check (kt-wait 15 (lambda () (cl-some (lambda (m) (string-match-p "dream" m)) kt-shown)))
                "no window/showMessage after idle reports %S" kt-idle-sent)
      (kt-check (string-match-p "merge" (cl-find-if (lambda (m) (string-match-p "dream" m)) kt-shown))
                "message %S" kt-shown)
      (kt-check (= 1 (length (file-expand-wildcards (expand-file-name "archive/*.md" kt-personal))))
                "the dream did not archive one duplicate"))
    (kt-step "kairos-dream dreams now and reports"
      (let ((r (with-current-buffer kt-buf (kairos-dream))))
        (kt-check (numberp (plist-get r :kept)) "report %S" r)
        (kt-check (not (eq (plist-get r :changed) t)) "a second dream changed something: %S" r))))

  (if (not (plist-get kt-caps :codeActionProvider))
      (kt-skip "kairos-toggle-proactive effect" "server advertises no codeActionProvider yet")
    (kt-step "kairos-toggle-proactive stops and restarts proactive suggestions"
      (with-current-buffer kt-buf
        (kairos-toggle-proactive)
        (kt-check (not kairos-proactive) "still proactive")
        (goto-char (point-max))
        (insert "void g(char *d) { strcpy(d, \"x\"); }\n")
        (kt-sync)
        (let ((line (1- (line-number-at-pos (point-max)))))
          (kt-check (not (kt-wait-diags 2 line)) "a diagnostic was published with proactive off")
          (kairos-toggle-proactive)
          (goto-char (point-max))
          (insert "void h(char *d) { strcpy(d, \"y\"); }\n")
          (kt-sync)
          (kt-check (kt-wait-diags 8 (1+ line)) "no diagnostic with proactive on again")))))

  (kt-step "the server stops cleanly"
    ;; What eglot-shutdown sends (params null), without its SIGKILL right
    ;; after exit, so that the exit status can be seen.
    (let ((proc (jsonrpc--process kt-server)))
      (jsonrpc-request kt-server :shutdown nil :timeout 5)
      (jsonrpc-notify kt-server :exit nil)
      (kt-check (kt-wait 5 (lambda () (not (process-live-p proc)))) "the server is still running")
      (kt-check (eq (process-status proc) 'exit) "status %s" (process-status proc))
      (kt-check (= (process-exit-status proc) 0) "exit status %s" (process-exit-status proc))
      (ignore-errors (eglot-shutdown kt-server nil 1))))
  (kt-finish))

(kt-run #'kt-main)
