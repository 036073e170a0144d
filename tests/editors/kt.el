;;; kt.el --- the step runner shared by the Emacs editor tests  -*- lexical-binding: t; -*-

;; Results go to the file named by OUT, one "ok NAME", "FAIL NAME: WHY"
;; or "skip NAME: WHY" per line; the suite script counts them.

(require 'cl-lib)
(require 'subr-x)

(defvar kt-results nil)
(defvar kt-out (getenv "OUT"))
(defvar kt-ws (file-name-as-directory (getenv "WS")))

(defun kt-record (line)
  (push line kt-results)
  (message "%s" line))

(defun kt-finish ()
  (with-temp-file kt-out
    (insert (string-join (reverse kt-results) "\n") "\n"))
  (kill-emacs 0))

(defmacro kt-step (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body (kt-record (concat "ok " ,name)) t)
     (error (kt-record (format "FAIL %s: %s" ,name (error-message-string err))) nil)))

(defun kt-skip (name why) (kt-record (format "skip %s: %s" name why)))

(defun kt-check (cond fmt &rest args)
  (unless cond (error "%s" (apply #'format fmt args))))

(defun kt-wait (seconds pred)
  "Let processes run until PRED holds or SECONDS pass; PRED's value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun kt-run (main)
  "Run MAIN; a failure outside any step is recorded too."
  (condition-case err
      (funcall main)
    (error (kt-record (format "FAIL test script: %s" (error-message-string err)))
           (kt-finish))))

(provide 'kt)
